"""Helpers shared by the optimizer tests: nested params from "scope/name" keys, and a minimal
variable for the `apply_gradients` path."""
import jax.numpy as jnp


def nest(flat):
    """{"enc/kernel": a} -> {"enc": {"kernel": a}}."""
    out = {}
    for path, value in flat.items():
        scope, name = path.split("/")
        out.setdefault(scope, {})[name] = value
    return out


class FakeVar:
    """What `apply_gradients` needs of a variable: `value`, `assign`, and a `path`."""

    def __init__(self, value, path=""):
        self.value, self.path = jnp.asarray(value), path

    def assign(self, value):
        self.value = jnp.asarray(value)

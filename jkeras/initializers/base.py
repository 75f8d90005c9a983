"""The initializer protocol: `init(shape, dtype="float32", key=None)` returns a jnp array.

A random initializer built with an integer `seed` uses `jax.random.PRNGKey(seed)` and ignores
`key` (same values on every call, as Keras 3 documents); otherwise it uses `key`, and when that
is None too it draws from jkeras's session key stream (`jkeras.utils.set_random_seed`).
Shape and dtype are static, so initializers run under `jax.jit` with a traced key.
"""
import inspect

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import random as session_random
from jkeras.core.config_object import ConfigObject


def _global_key():
    """A fresh key from the session stream (concrete even while tracing)."""
    with jax.ensure_compile_time_eval():
        return session_random.next_key()


def _std_shape(shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(
            f"Initializer shape must be a tuple of integers. Received: shape={shape}"
        ) from None


def _std_dtype(dtype):
    return jnp.dtype("float32" if dtype is None else dtype)


class Initializer(ConfigObject):
    """Base class. Subclasses implement `generate(shape, dtype, key)`.

    `__call__(shape, dtype="float32", key=None)` standardizes shape and dtype, resolves the
    key for random initializers, then calls `generate`.
    """

    _random = False

    def __call__(self, shape, dtype="float32", key=None):
        shape, dtype = _std_shape(shape), _std_dtype(dtype)
        if self._random:
            key = self._resolve_key(key)
        return self.generate(shape, dtype, key)

    def generate(self, shape, dtype, key):
        raise TypeError(
            f"{type(self).__name__}: initializer subclasses must implement `generate(shape, dtype, key)` "
            "or `__call__(shape, dtype='float32', key=None)`."
        )

    def get_config(self):
        return {}

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---- constant initializers ----
# ---- callables wrapped to the calling convention ----
class _FunctionInitializer(Initializer):
    """Wraps `fn(key, shape, dtype)` (JAX style) or `fn(shape, dtype=None)` (Keras style)."""

    def __init__(self, fn, jax_style):
        self.fn = fn
        self.jax_style = jax_style
        self._random = jax_style

    def _resolve_key(self, key):
        return _global_key() if key is None else key

    def generate(self, shape, dtype, key):
        if self.jax_style:
            return jnp.asarray(self.fn(key, shape, dtype))
        return jnp.asarray(self.fn(shape, dtype=dtype.name), dtype)

    def get_config(self):
        raise ValueError(f"Initializer function {self.fn!r} has no config.")

    def __repr__(self):
        return f"{type(self).__name__}({self.fn!r})"


def _is_jax_style(fn):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return bool(positional) and positional[0].name in ("key", "rng")

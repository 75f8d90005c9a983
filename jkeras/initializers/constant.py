"""Deterministic initializers: Zeros, Ones, Constant, Identity."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.initializers.base import Initializer


class Zeros(Initializer):
    """All zeros."""

    def generate(self, shape, dtype, key):
        return jnp.zeros(shape, dtype)


class Ones(Initializer):
    """All ones."""

    def generate(self, shape, dtype, key):
        return jnp.ones(shape, dtype)


class Constant(Initializer):
    """`value` (a scalar, or an array broadcast to `shape`) cast to `dtype`."""

    def __init__(self, value=0.0):
        self.value = value

    def generate(self, shape, dtype, key):
        return jnp.asarray(self.value, dtype) * jnp.ones(shape, dtype)

    def get_config(self):
        v = self.value
        if isinstance(v, (np.ndarray, jax.Array)):  # Keras's numpy encoding
            arr = np.asarray(v)
            v = {"class_name": "__numpy__",
                 "config": {"value": arr.tolist(), "dtype": str(arr.dtype)}}
        elif isinstance(v, np.generic):
            v = v.item()
        return {"value": v}

    @classmethod
    def from_config(cls, config):
        v = config.get("value", 0.0)
        if isinstance(v, dict) and v.get("class_name") == "__numpy__":
            v = np.asarray(v["config"]["value"], dtype=v["config"]["dtype"])
        return cls(v)


class Identity(Initializer):
    """`gain * eye(rows, cols)`; only for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def generate(self, shape, dtype, key):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return jnp.asarray(self.gain, dtype) * jnp.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


# ---- random initializers ----

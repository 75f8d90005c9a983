"""Keras 3's weight and activity regularizers: a scalar penalty of a tensor, added to the loss."""
import math

import jax.numpy as jnp
import numpy as np

from jax import lax

from jkeras.core import config
from jkeras.core.config_object import ConfigObject


def validate_float_arg(value, name):
    """A non-negative finite number as float (Keras's check and wording)."""
    if (not isinstance(value, (float, int)) or math.isinf(value) or math.isnan(value)
            or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float."
                         f"Received: {name}={value}")
    return float(value)


def _abs(x):
    """|x| whose gradient at 0 is 0, as TensorFlow's (jnp.abs's is 1 there): after a ReLU many
    activations are exactly 0, so an L1 activity penalty's gradient depends on it."""
    return x * jnp.sign(x)


def _unit(x, axis):
    """`x` over its L2 norm along `axis` (Keras's `ops.normalize` on JAX)."""
    inv = lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1.0 / config.epsilon())


def _float32(value):
    # Keras keeps some factors as float32 tensors: their configs show the float32 value.
    return float(np.float32(value))


class Regularizer(ConfigObject):
    """Base class: `__call__(x)` returns a scalar penalty; `get_config` / `from_config`."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = jnp.asarray(x)
        penalty = jnp.zeros((), x.dtype)
        if self.l1 != 0.0:
            penalty += jnp.asarray(self.l1, x.dtype) * jnp.sum(_abs(x))
        if self.l2 != 0.0:
            penalty += jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(abs(x))` (default l1=0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = _float32(validate_float_arg(0.01 if l1 is None else l1, name="l1"))

    def __call__(self, x):
        x = jnp.asarray(x)
        return jnp.asarray(self.l1, x.dtype) * jnp.sum(_abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(square(x))` (default l2=0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = jnp.asarray(x)
        return jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """`factor * 0.5 * mean |<u_i, u_j>|` over pairs of L2-normalised rows (or columns)."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _float32(validate_float_arg(factor, name="factor"))
        if mode not in {"rows", "columns"}:
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f'{{"rows", "columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs):
        inputs = jnp.asarray(inputs)
        if inputs.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={inputs.shape}")
        if self.mode == "rows":
            inputs = _unit(inputs, 1)
            product, size = inputs @ inputs.T, inputs.shape[0]
        else:
            inputs = _unit(inputs, 0)
            product, size = inputs.T @ inputs, inputs.shape[1]
        off_diagonal = product * (1.0 - jnp.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return jnp.asarray(self.factor, inputs.dtype) * 0.5 * jnp.sum(
            _abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}

"""Keras 3's custom-metric form on the pure protocol: `self.add_variable(...)` in `__init__`,
`update_state` through `var.assign_add(...)`, `result()` reading the variables.

Such a metric's state is the tuple of its variables' values. `init` / `update` / `result_from`
(what the compiled loop uses) bind a state into the variables, run the user's `update_state` or
`result`, and read the values back, so the same Python code serves eager calls and jit.
"""
import contextlib

import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core import random


class MetricVariable:
    """A metric's variable: `.value`, `assign` / `assign_add` / `assign_sub`, array-like."""

    def __init__(self, metric_name, name, shape, dtype, initializer):
        self.name = name or "variable"
        self.path = f"{metric_name}/{self.name}"
        self.shape = tuple(int(d) for d in (() if shape is None else shape))
        self.dtype = jnp.dtype(dtype or "float32")
        self.initializer = initializers.get(initializer or "zeros")
        self._value = self.initial_value()

    def initial_value(self):
        return jnp.asarray(self.initializer(self.shape, self.dtype, key=random.next_key()),
                           self.dtype)

    @property
    def value(self):
        return self._value

    def assign(self, value):
        value = jnp.asarray(value, self.dtype)
        if value.shape != self.shape:
            raise ValueError(f"Metric variable '{self.path}' has shape {self.shape}, but the "
                             f"assigned value has shape {value.shape}.")
        self._value = value
        return self

    def assign_add(self, value):
        return self.assign(self._value + jnp.asarray(value, self.dtype))

    def assign_sub(self, value):
        return self.assign(self._value - jnp.asarray(value, self.dtype))

    def numpy(self):
        return np.asarray(self._value)

    def __jax_array__(self):
        return self._value

    def __array__(self, dtype=None, copy=None):
        out = np.asarray(self._value)
        return out.astype(dtype) if dtype is not None else out

    def __float__(self):
        return float(self._value)

    def __add__(self, o): return self._value + o
    def __radd__(self, o): return o + self._value
    def __sub__(self, o): return self._value - o
    def __rsub__(self, o): return o - self._value
    def __mul__(self, o): return self._value * o
    def __rmul__(self, o): return o * self._value
    def __truediv__(self, o): return self._value / o
    def __rtruediv__(self, o): return o / self._value
    def __neg__(self): return -self._value
    def __getitem__(self, i): return self._value[i]

    def __repr__(self):
        return f"<MetricVariable path={self.path}, shape={self.shape}, dtype={self.dtype.name}>"


def values_of(variables):
    return tuple(v.value for v in variables)


@contextlib.contextmanager
def bound(variables, state):
    """The variables hold `state` (arrays or tracers) inside the block; restored after."""
    saved = values_of(variables)
    for var, value in zip(variables, state):
        var._value = value
    try:
        yield
    finally:
        for var, value in zip(variables, saved):
            var._value = value


def as_array(result):
    if isinstance(result, MetricVariable):
        return result.value
    if isinstance(result, dict):
        return {k: as_array(v) for k, v in result.items()}
    return result

"""Keras 3's custom-metric form on the pure protocol: `self.add_variable(...)` in `__init__`,
`update_state` through `var.assign_add(...)`, `result()` reading the variables.

Such a metric's state is the tuple of its variables' values. `init` / `update` / `result_from`
(what the compiled loop uses) bind a state into the variables, run the user's `update_state` or
`result`, and read the values back, so the same Python code serves eager calls and jit.
"""
import contextlib

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core import random
from jkeras.core.variable import register_as_its_value


class _ArrayLike:
    """Reads as its `.value` (NumPy, float, arithmetic, indexing), as Keras's variables do."""

    def numpy(self):
        return np.asarray(self.value)

    def __jax_array__(self):
        return self.value

    def __array__(self, dtype=None, copy=None):
        out = np.asarray(self.value)
        return out.astype(dtype) if dtype is not None else out

    def __float__(self):
        return float(self.value)

    def __add__(self, o): return self.value + o
    def __radd__(self, o): return o + self.value
    def __sub__(self, o): return self.value - o
    def __rsub__(self, o): return o - self.value
    def __mul__(self, o): return self.value * o
    def __rmul__(self, o): return o * self.value
    def __truediv__(self, o): return self.value / o
    def __rtruediv__(self, o): return o / self.value
    def __neg__(self): return -self.value
    def __getitem__(self, i): return self.value[i]

    def assign_add(self, value):
        return self.assign(self.value + jnp.asarray(value, self.dtype))

    def assign_sub(self, value):
        return self.assign(self.value - jnp.asarray(value, self.dtype))

    def _checked(self, value):
        value = jnp.asarray(value, self.dtype)
        if value.shape != self.shape:
            raise ValueError(f"Metric variable '{self.path}' has shape {self.shape}, but the "
                             f"assigned value has shape {value.shape}.")
        return value

    def __repr__(self):
        return (f"<{type(self).__name__} path={self.path}, shape={self.shape}, "
                f"dtype={self.dtype.name}>")


@register_as_its_value
class MetricVariable(_ArrayLike):
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
        self._value = self._checked(value)
        return self


@register_as_its_value
class StateVariable(_ArrayLike):
    """`metric.variables` of a built-in metric: a handle on one leaf of its state (`total`,
    `count`, ...), read and assigned as Keras's metric variables are."""

    def __init__(self, metric, index, name):
        self._metric, self._index = metric, index
        self.name = name
        self.path = f"{metric.name}/{name}"

    @property
    def value(self):
        return jax.tree_util.tree_leaves(self._metric.state)[self._index]

    @property
    def shape(self):
        return tuple(self.value.shape)

    @property
    def dtype(self):
        return jnp.dtype(self.value.dtype)

    def assign(self, value):
        leaves, treedef = jax.tree_util.tree_flatten(self._metric.state)
        leaves[self._index] = self._checked(value)
        self._metric.state = jax.tree_util.tree_unflatten(treedef, leaves)
        return self


def state_variables(metric):
    """Handles on every leaf of `metric.state`, named by their keys."""
    paths = jax.tree_util.tree_flatten_with_path(metric.state)[0]
    return [StateVariable(metric, i, str(getattr(path[-1], "key", f"variable_{i}"))
                          if path else f"variable_{i}") for i, (path, _) in enumerate(paths)]


def value_of(variable):
    """A metric variable's array (arrays and tracers pass through)."""
    return variable.value if isinstance(variable, _ArrayLike) else variable


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

"""The facade's handle on one weight: a name, a spec, and the current value held for eager use.

The pure core never reads these handles: `init`/`apply` take and return plain pytrees. Inside a
layer's `call`, attribute access to a weight yields the array bound for that call (see frame.py).
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import scopes


class Variable:
    _path = None  # set when the weight was created inside a user's `name_scope`

    def __init__(self, layer, name, shape, dtype, initializer, trainable):
        self._layer = layer
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.dtype = jnp.dtype(dtype)
        self.initializer = initializer
        self.trainable = bool(trainable)
        self._value = None

    @property
    def path(self):
        return self._path or f"{self._layer.name}/{self.name}"

    @property
    def value(self):
        scope = scopes.get_stateless_scope()
        if scope is not None:  # Keras's StatelessScope: the mapped or assigned value
            mapped = scope.get_current_value(self)
            if mapped is not None:
                return mapped
        if self._value is None:
            raise ValueError(
                f"Variable '{self.path}' has no value yet: layer '{self._layer.name}' is not built. "
                "Call the model on data or call `build(input_shape)` first.")
        return self._value

    def assign(self, value):
        value = jnp.asarray(value, dtype=self.dtype)
        if value.shape != self.shape:
            raise ValueError(
                f"Variable '{self.path}' has shape {self.shape}, but the assigned value has "
                f"shape {value.shape}.")
        self._store(value)
        return self

    def _store(self, value):
        scope = scopes.get_stateless_scope()
        if scope is not None:  # recorded in the scope; the variable keeps its value
            scope.add_update((self, value))
        else:
            self._value = value

    def assign_add(self, value):
        return self.assign(self.value + jnp.asarray(value, dtype=self.dtype))

    def assign_sub(self, value):
        return self.assign(self.value - jnp.asarray(value, dtype=self.dtype))

    def numpy(self):
        return np.asarray(self.value)

    def __array__(self, dtype=None, copy=None):
        arr = np.asarray(self.value)
        return arr.astype(dtype) if dtype is not None else arr

    # Eager convenience, as a tf.Variable: arithmetic works on the current value.
    def _v(self):
        return self.value

    def __add__(self, o): return self._v() + o
    def __radd__(self, o): return o + self._v()
    def __sub__(self, o): return self._v() - o
    def __rsub__(self, o): return o - self._v()
    def __mul__(self, o): return self._v() * o
    def __rmul__(self, o): return o * self._v()
    def __truediv__(self, o): return self._v() / o
    def __matmul__(self, o): return self._v() @ o
    def __rmatmul__(self, o): return o @ self._v()
    def __rtruediv__(self, o): return o / self._v()
    def __pow__(self, o): return self._v() ** o
    def __rpow__(self, o): return o ** self._v()
    def __lt__(self, o): return self._v() < o
    def __le__(self, o): return self._v() <= o
    def __gt__(self, o): return self._v() > o
    def __ge__(self, o): return self._v() >= o
    def __neg__(self): return -self._v()
    def __getitem__(self, idx): return self._v()[idx]

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        val = "unbuilt" if self._value is None else np.array2string(np.asarray(self._value), threshold=20)
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype.name}, "
                f"value={val}>")


def register_as_its_value(cls):
    """Register `cls` (an object with `.value`) so JAX takes it as its current value: `jax.jit`,
    `jax.grad` and `jax.tree_util` see the array, and give arrays back where it stood. Keras 3
    on JAX passes `model.trainable_variables` / `metric.variables` into jitted steps the same way
    (through `__jax_array__`, which JAX no longer honours at a jit boundary)."""
    jax.tree_util.register_pytree_node(cls, lambda var: ((var.value,), None),
                                       lambda _, children: children[0])
    return cls


register_as_its_value(Variable)

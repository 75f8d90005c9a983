"""A non-trainable weight seen from inside a custom layer's `call`: Keras's variable methods
(`assign`, `assign_add`, `assign_sub`, `.value`, `.numpy()`) on the value bound for this call.

Reads and writes go to the call's frame, so the same Python code updates the held weight in an
eager call and returns the update as new state from pure `apply` (under `jit` and in `fit` too),
as `self.total.assign_add(x)` does in Keras. Built-in jkeras layers keep getting plain arrays
(their code uses `jax.numpy` on them); a layer whose `call` is written outside jkeras gets these
handles, which `jkeras.ops` and the arithmetic operators accept as tensors.
"""
import threading

import jax

from jkeras.core.variable import Variable

_local = threading.local()


class BoundVariable(Variable):
    """`var` as bound in `frame`: the value of this call, assignments recorded in the frame."""

    def __init__(self, var, frame):
        self.__dict__.update(var.__dict__)
        self._held = var
        self._frame = frame

    @property
    def value(self):
        return self._frame.bound(self.name)

    def _store(self, value):  # `assign` checks the value, then stores it here
        if self._frame.init_key is None:  # `init` gives initial values: updates are not kept
            self._frame.assign_state(self.name, value)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype.name}, "
                "value=<bound in call>>")


def _user_call(layer):
    return not getattr(type(layer).call, "__module__", "jkeras.").startswith("jkeras.")


def attribute_in_call(layer, var, frame):
    """What `self.<weight>` is inside `call`: a handle for a non-trainable weight of a layer
    whose `call` is user code, else the bound array."""
    if not var.trainable and _user_call(layer):
        return BoundVariable(var, frame)
    return frame.bound(var.name)


class returning_handles:
    """While open, the arrays `layer`'s `call` returned from its own handles are remembered, so
    `restore` gives back its held Variables there (Keras's eager `y = my_sum(x); y.numpy()`)."""

    def __init__(self, layer):
        self.layer = layer
        self.swapped = {}

    def __enter__(self):
        self._previous = getattr(_local, "scope", None)
        _local.scope = self
        return self

    def __exit__(self, *exc):
        _local.scope = self._previous

    def restore(self, outputs):
        if not self.swapped:
            return outputs
        return jax.tree_util.tree_map(lambda leaf: self.swapped.get(id(leaf), leaf), outputs)


def outputs_of(outputs):
    """`call`'s outputs with variable handles replaced by their arrays."""
    scope = getattr(_local, "scope", None)

    def value(leaf):
        if not isinstance(leaf, Variable):
            return leaf
        array = leaf.value
        if isinstance(leaf, BoundVariable) and scope is not None and leaf._layer is scope.layer:
            scope.swapped[id(array)] = leaf._held
        return array
    return jax.tree_util.tree_map(value, outputs, is_leaf=lambda x: isinstance(x, Variable))

"""Ops on symbolic tensors: `ops.relu(x)` on a `jkeras.Input` tensor records a functional node.

As in Keras, calling an op on symbolic tensors returns a symbolic tensor whose history is one
weightless node that replays the op on real inputs; a functional `Model` built through it runs
eagerly, under `jit` and in `fit` like any other layer graph. Ops with a Keras operation class
(operation_layer.py) record that class, so the model saves as Keras's; the few others record an
`OpNode`, which cannot be saved (its `get_config` says so: use a `Layer` subclass or `Lambda`).
"""
import functools

import jax

from jkeras.core import naming
from jkeras.core.layer import Layer
from jkeras.core.symbolic import KerasTensor, any_symbolic
from jkeras.ops import operation_layer

# Ops that act on symbolic tensors without recording a node, or that take functions.
NOT_RECORDED = {"shape", "dtype", "is_tensor", "convert_to_numpy", "cond", "switch", "scan",
                "while_loop", "fori_loop", "map", "vectorized_map", "associative_scan",
                "custom_gradient", "vectorize", "jvp"}


def _is_kt(x):
    return isinstance(x, KerasTensor)


class OpNode(Layer):
    """A weightless layer standing for one op call on symbolic tensors."""
    _keras_operation = True  # an operation, not one of `model.layers` (as Keras)

    def __init__(self, op, args, kwargs):
        super().__init__(name=naming.unique_name(op.__name__))
        self.op = op
        leaves, self._treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_kt)
        self._symbolic = [i for i, leaf in enumerate(leaves) if _is_kt(leaf)]
        self._leaves = [None if _is_kt(leaf) else leaf for leaf in leaves]
        self.tensors = [leaves[i] for i in self._symbolic]

    def call(self, inputs):
        leaves = list(self._leaves)
        for i, value in zip(self._symbolic, inputs):
            leaves[i] = value
        args, kwargs = jax.tree_util.tree_unflatten(self._treedef, leaves)
        return self.op(*args, **kwargs)

    def get_config(self):
        raise NotImplementedError(
            f"`ops.{self.op.__name__}` called on symbolic tensors (node '{self.name}') cannot be "
            "serialized by jkeras yet. Put the computation in a Layer subclass (or a `Lambda` "
            "layer) to save this model.")


def symbolic_aware(op):
    """`op`, recording an `OpNode` when any argument is a symbolic tensor."""
    if op.__name__ in NOT_RECORDED:
        if op.__name__ == "shape":
            @functools.wraps(op)
            def shape(x):
                return x.shape if _is_kt(x) else op(x)
            return shape
        return op

    @functools.wraps(op)
    def wrapped(*args, **kwargs):
        if any_symbolic((args, kwargs)):
            recorded = operation_layer.record(op, args, kwargs)  # Keras's saveable form
            if recorded is not None:
                return recorded
            node = OpNode(op, args, kwargs)
            return node(node.tensors)
        return op(*args, **kwargs)
    return wrapped

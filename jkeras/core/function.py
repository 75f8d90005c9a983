"""`keras.Function(inputs, outputs)`: the graph of layer and op calls between symbolic tensors,
called on arrays (Keras 3's symbolic `Function`).

The inputs may be any `KerasTensor`s (`jkeras.KerasTensor(shape=...)` or `jkeras.Input`); the
graph is found by walking back from the outputs. Calling the Function replays the calls in
order on the given values: layers use their current weights, so it is stateless itself (no
variables of its own, no Layer API), as Keras's.
"""
import jax
import numpy as np

from jkeras.core import naming
from jkeras.core.symbolic import KerasTensor


def _is_kt(x):
    return isinstance(x, KerasTensor)


def _flatten(structure):
    return jax.tree_util.tree_flatten(_lists(structure), is_leaf=_is_kt)


def _lists(structure):
    """Tuples as lists: a structure check that does not tell them apart, as Keras's."""
    if isinstance(structure, (list, tuple)):
        return [_lists(x) for x in structure]
    if isinstance(structure, dict):
        return {k: _lists(v) for k, v in structure.items()}
    return structure


class GraphEndpoints:
    """`inputs` / `outputs`: the flat lists of a graph's symbolic endpoints (Function and the
    functional Model)."""

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)


class Function(GraphEndpoints):
    """Class that encapsulates a computation graph of Keras operations.

    Args:
        inputs: `KerasTensor` or nested structure of `KerasTensor`s.
        outputs: `KerasTensor` or nested structure of `KerasTensor`s, computable from `inputs`.
        name: String. The name of the function.
    """

    def __init__(self, inputs, outputs, name=None):
        self.name = name or naming.unique_name("function")
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._inputs, self._in_tree = _flatten(inputs)
        self._outputs, self._out_tree = _flatten(outputs)
        if not self._inputs:
            raise ValueError(f"`inputs` argument cannot be empty. Received:\ninputs={inputs}\n"
                             f"outputs={outputs}")
        if not self._outputs:
            raise ValueError(f"`outputs` argument cannot be empty. Received:\ninputs={inputs}"
                             f"\noutputs={outputs}")
        for x in self._inputs + self._outputs:
            if not _is_kt(x):
                raise ValueError("All `inputs` and `outputs` values must be symbolic tensors "
                                 f"(KerasTensor). Received: {x!r} of type {type(x).__name__}")
        self._nodes = self._map_graph()

    def _map_graph(self):
        given = {id(x) for x in self._inputs}
        nodes, seen = [], set()

        def visit(tensor, consumer):
            if id(tensor) in given:
                return
            history = tensor._keras_history
            node = history[1] if history else None
            if node is None:
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor {tensor} at operation "
                    f"'{consumer}'. The following previous operations were accessed without "
                    f"issue: {[n.layer.name for n in nodes]}")
            if id(node) in seen:
                return
            seen.add(id(node))
            for parent in node.input_tensors:
                visit(parent, node.layer.name)
            nodes.append(node)

        for out in self._outputs:
            visit(out, self.name)
        return nodes

    @property
    def operations(self):
        """The layers and ops of the graph, in the order they run."""
        out, seen = [], set()
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                out.append(node.layer)
        return out

    def __call__(self, inputs):
        return self.call(inputs)

    def call(self, inputs):
        """Computes output tensors for new inputs."""
        values = self._bind(inputs)

        def lookup(x):
            return values[id(x)] if _is_kt(x) else x

        for node in self._nodes:
            args, kwargs = jax.tree_util.tree_map(lookup, (node.args, dict(node.kwargs)),
                                                  is_leaf=_is_kt)
            out = node.layer(*args, **kwargs)
            for tensor, value in zip(node.output_tensors, jax.tree_util.tree_leaves(out)):
                values[id(tensor)] = value
        return jax.tree_util.tree_unflatten(self._out_tree, [lookup(y) for y in self._outputs])

    def _bind(self, inputs):
        leaves, tree = _flatten(inputs)
        if tree != self._in_tree:
            raise ValueError("Function was called with an invalid input structure. Expected "
                             f"input structure: {self._inputs_struct}\nReceived input "
                             f"structure: {inputs}")
        values = {}
        for x, ref in zip(leaves, self._inputs):
            shape = tuple(np.shape(x)) if not _is_kt(x) else x.shape
            if len(shape) != len(ref.shape) or any(
                    d is not None and r is not None and d != r for d, r in zip(shape, ref.shape)):
                raise ValueError(
                    f"{type(self).__name__} was passed incompatible inputs. For input "
                    f"'{ref.name}', expected shape {ref.shape}, but received instead a tensor "
                    f"with shape {shape}.")
            values[id(ref)] = x
        return values

    def __repr__(self):
        return f"<Function name={self.name}, inputs={len(self._inputs)}, " \
               f"outputs={len(self._outputs)}>"

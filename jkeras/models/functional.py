"""Functional models: a graph of layer calls from `Input`s to outputs, run in Keras's order."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import shapes
from jkeras.core.function import GraphEndpoints
from jkeras.core.symbolic import KerasTensor
from jkeras.layers.input_layer import InputLayer
from jkeras.models import functional_config
from jkeras.models.model import Model


def _flatten(structure):
    if isinstance(structure, dict):
        return list(structure.values())
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def _origin(tensor):
    return tensor._keras_history[0] if tensor._keras_history else None


class Functional(GraphEndpoints, Model):
    _is_functional = True
    _convert_input_args = False  # as Keras: each layer casts its own inputs

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._inputs = _flatten(inputs)
        # Keras flattens a dict of outputs in sorted key order; its layer order (and so the
        # group names in weight files) follows it.
        self._outputs = _flatten(dict(sorted(outputs.items())) if isinstance(outputs, dict)
                                 else outputs)
        self._check_endpoints()
        nodes, layers = _map_graph(self._inputs, self._outputs)
        self._nodes = nodes
        self._layers = layers
        self._child_index()  # unique names, Keras's error otherwise
        self.built = True
        self._output_shape = self._outputs[0].shape

    def _check_endpoints(self):
        for x in self._inputs:
            if not isinstance(x, KerasTensor) or not isinstance(_origin(x), InputLayer):
                raise ValueError(
                    "All `inputs` values must be symbolic tensors created by `jkeras.Input`. "
                    f"Received inputs={self._inputs_struct!r} including invalid value {x!r} of "
                    f"type {type(x).__name__}")
        for y in self._outputs:
            if not isinstance(y, KerasTensor):
                raise ValueError(
                    "All `outputs` values must be symbolic tensors produced by calling layers on "
                    f"`Input`s. Received outputs={self._outputs_struct!r} including invalid value "
                    f"{y!r} of type {type(y).__name__}")

    @property
    def layers(self):
        """As Keras: the layers, without the operations (`x + 1.0`, loaded `keras.ops` nodes)
        that the graph and its config also hold."""
        return [layer for layer in self._child_layers()
                if not getattr(layer, "_keras_operation", False)]

    @property
    def input(self):
        """The inputs as given to the constructor (Keras's `model.input`)."""
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [x.shape for x in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct.keys())
        return [_origin(y).name for y in self._outputs]

    def get_config(self):
        return functional_config.functional_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return functional_config.functional_from_config(cls, config, custom_objects)

    def _bind_inputs(self, inputs):
        if isinstance(self._inputs_struct, dict):
            if not isinstance(inputs, dict):
                raise ValueError(f"Model '{self.name}' expects a dict of inputs with keys "
                                 f"{list(self._inputs_struct)}; received {type(inputs).__name__}.")
            missing = [k for k in self._inputs_struct if k not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}' is missing inputs {missing}; received "
                                 f"keys {list(inputs)}.")
            values = [inputs[k] for k in self._inputs_struct]
        elif len(self._inputs) == 1 and not isinstance(self._inputs_struct, (list, tuple)):
            values = [inputs]
        else:
            values = _flatten(inputs)
            if isinstance(inputs, dict):
                values = [inputs.get(_origin(x).name) for x in self._inputs]
            if len(values) != len(self._inputs):
                raise ValueError(f"Model '{self.name}' expects {len(self._inputs)} inputs, but "
                                 f"it received {len(values)} input tensors.")
        bound = {}
        for i, (spec, value) in enumerate(zip(self._inputs, values)):
            value = shapes.adjust_rank(jnp.asarray(value, spec.dtype), spec.shape)
            got = tuple(np.shape(value))
            if len(got) != len(spec.shape) or any(
                    s is not None and s != g for s, g in zip(spec.shape, got)):
                raise ValueError(f'Input {i} of layer "{self.name}" is incompatible with the '
                                 f"layer: expected shape={spec.shape}, found shape={got}")
            bound[id(spec)] = value
        return bound

    def call(self, inputs, training=None):
        values = self._bind_inputs(inputs)

        def lookup(x):
            return values[id(x)] if isinstance(x, KerasTensor) else x

        masks = {}
        for node in self._nodes:
            args, kwargs = jax.tree_util.tree_map(lookup, (node.args, dict(node.kwargs)))
            if training is not None and "training" not in node.kwargs:
                kwargs["training"] = training
            in_masks = [masks.get(id(t)) for t in node.input_tensors]
            mask = in_masks[0] if len(in_masks) == 1 else (
                None if all(m is None for m in in_masks) else in_masks)
            if mask is not None and node.layer._accepts_mask and "mask" not in kwargs:
                kwargs["mask"] = mask
            out = node.layer(*args, **kwargs)
            out_mask = node.layer.compute_mask(args[0] if args else None, mask)
            per_output = out_mask if isinstance(out_mask, (list, tuple)) and \
                len(out_mask) == len(node.output_tensors) else [out_mask] * len(node.output_tensors)
            for tensor, value, m in zip(node.output_tensors, jax.tree_util.tree_leaves(out),
                                        per_output):
                values[id(tensor)] = value
                if m is not None:
                    masks[id(tensor)] = m
        outputs = jax.tree_util.tree_map(lookup, self._outputs_struct,
                                         is_leaf=lambda x: isinstance(x, KerasTensor))
        # Keras's `unpack_singleton`: `Model(inputs, [y])` returns y itself, not [y].
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            return outputs[0]
        return outputs


def _map_graph(inputs, outputs):
    """Nodes in execution order and layers in Keras's order (by depth, then traversal order).

    Raises Keras's "Graph disconnected" error when an output needs an Input that was not given.
    """
    given = {id(x) for x in inputs}
    post_order, seen_nodes, layer_first_seen = [], set(), {}

    def visit(tensor, path):
        layer, node, _ = tensor._keras_history
        if node is None:  # an Input
            if id(tensor) not in given:
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor '{tensor.name}' (an Input "
                    f"not listed in `inputs`) at layer '{path}'. The model's inputs are "
                    f"{[x.name for x in inputs]}.")
            layer_first_seen.setdefault(id(layer), (len(layer_first_seen), layer))
            return
        if id(node) in seen_nodes:
            return
        for parent in node.input_tensors:
            visit(parent, layer.name)
        seen_nodes.add(id(node))
        layer_first_seen.setdefault(id(layer), (len(layer_first_seen), layer))
        post_order.append(node)

    for out in outputs:
        visit(out, _origin(out).name)
    for x in inputs:
        layer_first_seen.setdefault(id(_origin(x)), (len(layer_first_seen), _origin(x)))

    depth = {id(n): 0 for n in post_order}
    for node in reversed(post_order):
        for parent in node.input_tensors:
            parent_node = parent._keras_history[1]
            if parent_node is not None:
                depth[id(parent_node)] = max(depth[id(parent_node)], depth[id(node)] + 1)
    layer_depth = {}
    for node in post_order:
        layer_depth[id(node.layer)] = max(layer_depth.get(id(node.layer), 0), depth[id(node)])
    max_depth = max(layer_depth.values(), default=-1) + 1
    for x in inputs:
        layer_depth[id(_origin(x))] = max_depth
    order = sorted(layer_first_seen.values(),
                   key=lambda item: (-layer_depth[id(item[1])], item[0]))
    nodes = sorted(post_order, key=lambda n: -depth[id(n)])
    return nodes, [layer for _, layer in order]

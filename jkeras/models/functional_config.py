"""Functional model configs in Keras 3's exact format (what `config.json` holds).

Functional: {"name", "trainable", "layers": [layer config + "name" + "inbound_nodes"],
"input_layers", "output_layers"}; an inbound node is {"args": [...], "kwargs": {...}} with each
symbolic tensor written as {"class_name": "__keras_tensor__", "config": {"shape", "dtype",
"keras_history": [layer name, node index, tensor index]}}. Node indices count only the nodes
that belong to this model, as Keras does. Keras gives a functional model a construction node of
its own, so "input_layers" / "output_layers" entries pointing at a nested functional model are
one higher than jkeras's node list (the "args" entries are not).
"""
import inspect

from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object
from jkeras.core.symbolic import KerasTensor
from jkeras.layers.input_layer import InputLayer
from jkeras.models import keras_ops

_KERAS_TENSOR = "__keras_tensor__"


# ---- Functional ------------------------------------------------------------------------------
def _is_functional(layer):
    return getattr(type(layer), "_is_functional", False)


def _own_index(layer, node, own):
    """The node's position among `layer`'s nodes that belong to this model (Keras's index)."""
    if node is None:  # an InputLayer's tensor: Keras's node 0
        return 0
    index = 0
    for candidate in layer._inbound_nodes:
        if candidate is node:
            return index
        if id(candidate) in own:
            index += 1
    raise ValueError(f"Layer '{layer.name}' does not hold the node that made this tensor.")


def _tensor_config(tensor, own):
    layer, node, index = tensor._keras_history
    return {"class_name": _KERAS_TENSOR,
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": [layer.name, _own_index(layer, node, own), index]}}


def _serialize_argument(value, own):
    if isinstance(value, KerasTensor):
        return _tensor_config(value, own)
    if isinstance(value, (list, tuple)):
        return [_serialize_argument(v, own) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_argument(v, own) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, slice):
        return {"class_name": "__slice__",
                "config": {"start": value.start, "stop": value.stop, "step": value.step}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    return serialize_keras_object(value)


def _recorded_args(layer, node):
    if isinstance(layer, keras_ops.KerasOperation):
        return layer.full_args(node.args)
    return list(node.args)


def functional_get_config(model):
    own = {id(node) for node in model._nodes}
    layer_configs = []
    for layer in model._layers:
        nodes = [{"args": _serialize_argument(_recorded_args(layer, node), own),
                  "kwargs": _serialize_argument(dict(node.kwargs), own)}
                 for node in layer._inbound_nodes if id(node) in own]
        layer_config = serialize_keras_object(layer)
        layer_config["name"] = layer.name
        layer_config["inbound_nodes"] = nodes
        layer_configs.append(layer_config)

    def endpoint(tensor):
        layer, node, index = tensor._keras_history
        offset = 1 if _is_functional(layer) else 0
        return [layer.name, _own_index(layer, node, own) + offset, index]

    def endpoints(structure):
        if isinstance(structure, KerasTensor):
            return endpoint(structure)
        if isinstance(structure, dict):
            return {k: endpoints(v) for k, v in structure.items()}
        return [endpoints(v) for v in structure]

    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": endpoints(model._inputs_struct),
            "output_layers": endpoints(model._outputs_struct)}


class _NotYetCreated(Exception):
    """A node's input comes from a layer call not replayed yet (shared layers at several depths)."""


def _custom(config, custom_objects):
    names = {config.get("class_name"), config.get("registered_name")}
    return any(name in (custom_objects or {}) for name in names)


def _revive_argument(value, created, custom_objects):
    if isinstance(value, list):
        return [_revive_argument(v, created, custom_objects) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") == _KERAS_TENSOR:
            return _revive_tensor(value["config"]["keras_history"], created)
        if value.get("class_name") == "__slice__":
            c = value["config"]
            return slice(c.get("start"), c.get("stop"), c.get("step"))
        if value.get("class_name") == "__ellipsis__":
            return Ellipsis
        if "class_name" in value and "config" in value:
            return deserialize_keras_object(value, custom_objects=custom_objects)
        return {k: _revive_argument(v, created, custom_objects) for k, v in value.items()}
    return value


def _revive_tensor(history, created, offset=0):
    name, node_index, tensor_index = history
    if name not in created:
        raise ValueError(f"Invalid Functional model configuration: unknown layer '{name}' in "
                         f"keras_history {list(history)}.")
    layer = created[name]
    if isinstance(layer, InputLayer):
        return layer.output
    node_index -= offset
    if node_index >= len(layer._inbound_nodes):
        raise _NotYetCreated(name)
    return layer._inbound_nodes[node_index].output_tensors[tensor_index]


def _call_kwargs(layer, kwargs):
    """The keyword arguments to replay a recorded call with.

    Keras records the `training` flag of the build-time call (`"training": false` on every
    Dropout node) but lets the model's own `training` override it when run; jkeras lets a
    node's explicit kwargs win, so the recorded flag is dropped (else Dropout would stay off in
    `fit`). `"mask": null` (no mask at build time) is dropped too, and so is any other None the
    layer's `call` does not take."""
    params = inspect.signature(layer.call).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return {k: v for k, v in kwargs.items()
            if k != "training" and not (k == "mask" and v is None)
            and (v is not None or takes_any or k in params)}


def functional_from_config(cls, config, custom_objects=None):
    config = dict(config)
    try:
        layer_configs = config.pop("layers")
        input_layers, output_layers = config.pop("input_layers"), config.pop("output_layers")
    except KeyError as e:
        raise ValueError(f"A functional model configuration needs the key {e}; received keys "
                         f"{sorted(config)}.") from None
    name, trainable = config.pop("name", None), config.pop("trainable", None)
    created, pending = {}, []
    for layer_config in layer_configs:
        if keras_ops.is_operation_config(layer_config) and not _custom(layer_config,
                                                                      custom_objects):
            layer = keras_ops.operation_from_config(layer_config)
        else:
            layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
        layer_name = layer_config.get("name", getattr(layer, "name", None))
        created[layer_name] = layer
        pending.append([layer, list(layer_config.get("inbound_nodes", []))])

    # Replay the layer calls; a call whose inputs do not exist yet waits for the next round.
    while any(nodes for _, nodes in pending):
        progressed = False
        for entry in pending:
            layer, nodes = entry
            while nodes:
                node = nodes[0]
                if isinstance(node, list):
                    raise ValueError(
                        "This configuration uses the legacy (Keras 2 / .h5) node format, which "
                        "jkeras does not read; re-save the model with Keras 3 as `.keras`.")
                try:
                    args = _revive_argument(node.get("args", []), created, custom_objects)
                    kwargs = _revive_argument(node.get("kwargs", {}), created, custom_objects)
                except _NotYetCreated:
                    break
                if isinstance(layer, keras_ops.KerasOperation):
                    args = layer.bind_static(args)
                layer(*args, **_call_kwargs(layer, kwargs))
                nodes.pop(0)
                progressed = True
        if not progressed:
            stuck = {layer.name: len(nodes) for layer, nodes in pending if nodes}
            raise ValueError("Invalid Functional model configuration. The graph of the "
                             "Functional model either has loops or disconnected nodes. The "
                             f"following nodes failed to be resolved: {stuck}")

    def endpoints(structure):
        if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
            layer = created.get(structure[0])
            offset = 1 if _is_functional(layer) else 0
            return _revive_tensor(structure, created, offset)
        if isinstance(structure, dict):
            return {k: endpoints(v) for k, v in structure.items()}
        return [endpoints(v) for v in structure]

    config.pop("dtype", None)
    return cls(inputs=endpoints(input_layers), outputs=endpoints(output_layers), name=name,
               trainable=True if trainable is None else trainable, **config)

"""Sequential model configs in Keras 3's exact format: {"name", "trainable", "dtype", "layers":
[layer configs, an InputLayer first when the model has one], "build_input_shape"}."""
from jkeras.core.layer import Layer
from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object
from jkeras.core.symbolic import KerasTensor
from jkeras.layers.input_layer import InputLayer


def sequential_get_config(model):
    config = dict(Layer.get_config(model))
    config["name"] = model.name
    config["layers"] = [serialize_keras_object(layer) for layer in model._layers]
    config.update(_sequential_build_shape(model))
    return config


def _sequential_build_shape(model):
    config = {}
    if model._layers and isinstance(model._layers[0], InputLayer):
        config["build_input_shape"] = list(model._layers[0].batch_shape)
    elif model.built and model.layers and model.layers[0]._inbound_nodes:
        # Built by `build(shape)` without an Input: the shape its first layer was called on.
        first = model.layers[0]._inbound_nodes[0].args[0]
        if isinstance(first, KerasTensor):
            config["build_input_shape"] = list(first.shape)
    elif model.built and isinstance(model.__dict__.get("_build_input_shape"), tuple):
        # Built by an eager call on data: that shape, any batch size.
        config["build_input_shape"] = [None] + list(model.__dict__["_build_input_shape"][1:])
    return config


def sequential_build_config(model):
    shape = _sequential_build_shape(model).get("build_input_shape") if model.built else None
    return None if shape is None else {"input_shape": shape}


def sequential_from_config(cls, config, custom_objects=None):
    if not isinstance(config, dict) or "name" not in config or "layers" not in config:
        raise ValueError("A Sequential model configuration must be a dictionary containing the "
                         f"'name' and 'layers' keys. Received: config={config}")
    model = cls(name=config["name"], trainable=config.get("trainable", True))
    for layer_config in config["layers"]:
        model.add(deserialize_keras_object(layer_config, custom_objects=custom_objects))
    build_shape = config.get("build_input_shape")
    if not model.built and isinstance(build_shape, (list, tuple)) and build_shape:
        model.build(tuple(build_shape))
    return model

"""`keras.layers.serialize` / `keras.layers.deserialize`: a layer's full serialized config
(module, class_name, config, registered_name, build_config) and a new layer from one.
The work is jkeras.core.serialization's, as layers/config_utils.py uses it."""
from jkeras.core.layer import Layer
from jkeras.core.serialization import deserialize_keras_object
from jkeras.layers import config_utils


def serialize(layer):
    """The layer's configuration as a Python dict (Keras's serialized form)."""
    if not isinstance(layer, Layer):
        raise TypeError(f"`keras.layers.serialize` expects a Layer. Received: {layer!r} of type "
                        f"{type(layer).__name__}")
    return config_utils.nested(layer)


def deserialize(config, custom_objects=None):
    """A layer from its serialized config; `custom_objects` maps names to custom classes."""
    return deserialize_keras_object(config, custom_objects=custom_objects)

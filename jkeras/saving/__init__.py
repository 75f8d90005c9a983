"""Keras-compatible saving: `.weights.h5` files (and, with the archive, `.keras` files)."""
from jkeras.saving.weights_h5 import load_weights, save_weights
from jkeras.saving.archive import load_model, save_model
from jkeras.saving.serialization import (
    custom_object_scope, deserialize_keras_object, get_registered_object,
    register_keras_serializable, serialize_keras_object)
from jkeras.saving.object_registration import enable_unsafe_deserialization
from jkeras.saving.object_registration import (
    CustomObjectScope, get_custom_objects, get_registered_name)

__all__ = ["save_weights", "load_weights", "save_model", "load_model",
           "register_keras_serializable", "serialize_keras_object", "deserialize_keras_object",
           "get_registered_object", "custom_object_scope", "enable_unsafe_deserialization",
           "CustomObjectScope", "get_custom_objects", "get_registered_name"]
from jkeras.saving.file_editor import KerasFileEditor

__all__ += ["KerasFileEditor"]

"""`jkeras.saving`'s names for the custom-object registry, which lives beside the classes it
serves, in jkeras/core/registry.py (Keras's `keras.saving.*` registration API)."""
from jkeras.core.registry import (  # noqa: F401  (re-exported)
    GLOBAL_CUSTOM_NAMES, GLOBAL_CUSTOM_OBJECTS, CustomObjectScope, SafeModeScope,
    custom_object_scope, enable_unsafe_deserialization, get_custom_objects, get_registered_name,
    get_registered_object, in_safe_mode, register_keras_serializable)

"""`jkeras.saving`'s names for Keras 3's object config format, and the table of Keras module
names this file format uses for jkeras's public families.

The (de)serialization itself lives beside the classes in jkeras/core/serialization.py; saving is
the floor that knows every family, so it registers them there (layers, optimizers, models, ...
sit above core, which must not import them).
"""
from jkeras import (activations, constraints, initializers, layers, losses, metrics, models,
                    optimizers, quantizers, regularizers)
from jkeras.core.serialization import (  # noqa: F401  (re-exported)
    CustomObjectScope, DTypePolicy, SafeModeScope, custom_object_scope, deserialize_keras_object,
    dtype_name, enable_unsafe_deserialization, get_registered_name, get_registered_object,
    in_safe_mode, load_function, register_family, register_keras_serializable,
    serialize_dtype_policy, serialize_keras_object)
from jkeras.layers.preprocessing import feature_space, feature_space_specs
from jkeras.optimizers import schedules

# Searched in this order for a class's public Keras module (schedules before optimizers).
for _word, _keras_module, _module in (
        ("layers", "keras.layers", layers),
        ("initializers", "keras.initializers", initializers),
        ("schedules", "keras.optimizers.schedules", schedules),
        ("optimizers", "keras.optimizers", optimizers),
        ("losses", "keras.losses", losses),
        ("metrics", "keras.metrics", metrics),
        ("activations", "keras.activations", activations),
        ("regularizers", "keras.regularizers", regularizers),
        ("constraints", "keras.constraints", constraints),
        ("quantizers", "keras.quantizers", quantizers),
        ("models", "keras", models),
        ("feature_space", "keras.utils", feature_space),
        ("feature_space_specs", "keras.src.layers.preprocessing.feature_space",
         feature_space_specs)):
    register_family(_word, _keras_module, _module)


def object_from_file_config(config, path, custom_objects, safe_mode, errors=(ValueError,)):
    """The object a config read from the file at `path` describes, with the custom objects and
    safe mode the loading function was given in effect; `errors` are re-raised naming the file."""
    with SafeModeScope(safe_mode), CustomObjectScope(custom_objects or {}):
        try:
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=safe_mode)
        except errors as e:
            raise ValueError(f"Could not load the model in {path}: {e}") from None

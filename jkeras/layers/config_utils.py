"""Helpers for layers' `get_config`: Keras's serialized forms of their arguments."""
from jkeras import activations, initializers
from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object


def activation(fn):
    """Keras's config value for an activation: its name for built-ins, else the function's
    config under its registered name ("package>name"), as `keras.activations.serialize`."""
    name = activations._NAME_OF.get(id(fn))
    if name is not None:
        return name
    return serialize_keras_object(fn)


def initializer(init):
    return initializers.serialize(init)


def unsupported(*names):
    """Arguments Keras's config always lists and jkeras does not support (regularizers,
    constraints, quantization): always None in our configs."""
    return {name: None for name in names}


def regularizers_and_constraints(layer, *weights, activity=False):
    """`<w>_regularizer` for each argument prefix (plus `activity_regularizer`), then
    `<w>_constraint`: the keys, order and serialized values of Keras's configs (None where the
    layer holds none)."""

    def value(name):
        return serialize_keras_object(getattr(layer, name, None))
    out = {f"{w}_regularizer": value(f"{w}_regularizer") for w in weights}
    if activity:
        out["activity_regularizer"] = value("activity_regularizer")
    out.update({f"{w}_constraint": value(f"{w}_constraint") for w in weights})
    return out


def nested(obj):
    """Keras's config value for a nested object (a wrapped layer, a cell): its full serialized
    form, build config included."""
    return serialize_keras_object(obj)


def from_nested(config):
    """The object a nested config (from `nested`, ours or tf.keras's) describes."""
    return deserialize_keras_object(config)

"""`keras.regularizers`: L1, L2, L1L2, OrthogonalRegularizer, the Regularizer base and get/
serialize/deserialize. A layer's `*_regularizer` argument takes any of them, a name ("l1",
"l2", "l1l2", "orthogonal_regularizer", class names), a config dict, a custom Regularizer
subclass (or instance) or a plain callable `fn(x) -> scalar`."""
from jkeras.core import lookup
from jkeras.regularizers.regularizers import (
    L1, L1L2, L2, OrthogonalRegularizer, Regularizer, validate_float_arg)

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]

l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_TABLE = lookup.Table("regularizer", "keras.regularizers",
                      [Regularizer, L1, L2, L1L2, OrthogonalRegularizer])


def serialize(regularizer):
    """Keras's form: {"module": "keras.regularizers", "class_name", "config", ...}."""
    return _TABLE.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """A regularizer from its serialized form (or a name)."""
    return _TABLE.deserialize(config, custom_objects)


def get(identifier):
    """None, a name, a config dict, a class (instantiated) or a callable -> the regularizer."""
    return _TABLE.get(identifier)

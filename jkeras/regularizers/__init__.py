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

# get(identifier): None, a name, a config dict, a class (instantiated) or a callable -> the
# regularizer; serialize(obj): Keras's form {"module": "keras.regularizers", "class_name", "config",
# "registered_name"}; deserialize(config, custom_objects=None): the regularizer it describes.
get, serialize, deserialize = _TABLE.get, _TABLE.serialize, _TABLE.deserialize

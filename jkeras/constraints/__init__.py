"""`keras.constraints`: MaxNorm, MinMaxNorm, NonNeg, UnitNorm, the Constraint base and get/
serialize/deserialize. A layer's `*_constraint` argument takes any of them, a name
("max_norm", "non_neg", "unit_norm", "min_max_norm", class names), a config dict, a custom
Constraint subclass (or instance) or a plain callable `fn(w) -> w`."""
from jkeras.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from jkeras.core import lookup

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize", "deserialize"]

max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_TABLE = lookup.Table("constraint", "keras.constraints",
                      [Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm])

# get(identifier): None, a name, a config dict, a class (instantiated) or a callable -> the
# constraint; serialize(obj): Keras's form {"module": "keras.constraints", "class_name", "config",
# "registered_name"}; deserialize(config, custom_objects=None): the constraint it describes.
get, serialize, deserialize = _TABLE.get, _TABLE.serialize, _TABLE.deserialize

"""`keras.dtype_policies`: dtype policies for layers (mixed precision), and get/serialize.

Keras's quantized policies (`QuantizedDTypePolicy`, `Int4DTypePolicy`, `GPTQDTypePolicy`,
`AWQDTypePolicy`, `QuantizedFloat8DTypePolicy`) are not provided: jkeras has no quantized
layers, and their names raise a clear error.
"""
from jkeras.core.dtype_policy import (DTypePolicy, DTypePolicyMap, FloatDTypePolicy,
                                      deserialize, get, serialize)

__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "get",
           "serialize"]

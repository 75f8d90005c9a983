"""`keras.dtype_policies`: dtype policies for layers (mixed precision, quantization), and
get/serialize.

`QuantizedDTypePolicy` ("int8_from_float32", ...) is the policy of a layer quantized with
`layer.quantize("int8")` / `model.quantize("int8")` (Dense, EinsumDense, Embedding), and
`Int4DTypePolicy` ("int4/128_from_float32": int4 with its block size) of `quantize("int4")`
(the same layers). Keras's other quantized policies (`QuantizedFloat8DTypePolicy`,
`GPTQDTypePolicy`, `AWQDTypePolicy`) are not provided: their names and modes raise a clear
error.
"""
from jkeras.core.dtype_policy import (DTypePolicy, DTypePolicyMap, FloatDTypePolicy,
                                      Int4DTypePolicy, QuantizedDTypePolicy, deserialize, get,
                                      serialize)

# Keras's names jkeras does not provide, with the reason.
LEFT_OUT = {
    "QuantizedFloat8DTypePolicy": "float8 training (delayed scaling) is not provided",
    "GPTQDTypePolicy": "GPTQ quantization (a calibration algorithm) is not provided",
    "AWQDTypePolicy": "AWQ quantization (a calibration algorithm) is not provided",
}

__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "Int4DTypePolicy",
           "QuantizedDTypePolicy", "deserialize", "get", "serialize"]

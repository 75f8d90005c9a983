"""`keras.quantizers`: quantizers, quantization configs and the maths of Keras's int8 / int4
post-training quantization (`layer.quantize(...)`, `model.quantize(...)`).

`validate_and_resolve_config` and `dequantize_with_sz_map` are importable, as in Keras, but not
public names. Left out: GPTQ and AWQ (`GPTQConfig`, `AWQConfig`: calibration algorithms), float8
(`Float8QuantizationConfig`, `compute_float8_scale`, ...), `fake_quant_with_min_max_vars`.
"""
import inspect

from jkeras.core import serialization
from jkeras.core.naming import to_snake_case
from jkeras.quantizers.quantization_config import (  # noqa: F401 (importable, as in Keras)
    Int4QuantizationConfig, Int8QuantizationConfig, QuantizationConfig,
    validate_and_resolve_config)
from jkeras.quantizers.quantizers import (  # noqa: F401 (importable, as in Keras)
    AbsMaxQuantizer, Quantizer, abs_max_quantize, abs_max_quantize_grouped_with_zero_point,
    dequantize_with_sz_map, pack_int4, unpack_int4)

ALL_OBJECTS = (Quantizer, AbsMaxQuantizer, QuantizationConfig, Int8QuantizationConfig,
               Int4QuantizationConfig)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})


def serialize(initializer):
    """A quantizer or quantization config as Keras's config dict."""
    return serialization.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """A quantizer or quantization config from its Keras config."""
    return serialization.deserialize_keras_object(config, custom_objects)


def get(identifier, **kwargs):
    """A quantizer from None, a config dict, a class name or an instance (Keras's `get`)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier, None)
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj(**kwargs)
        return obj
    raise ValueError(f"Could not interpret quantizer identifier: {identifier}")


# Keras's names jkeras does not provide, with the reason.
LEFT_OUT = {
    "GPTQConfig": "GPTQ needs its calibration algorithm (Hessian-based, layer by layer)",
    "AWQConfig": "AWQ needs its calibration algorithm (activation-aware scales)",
    "Float8QuantizationConfig": "float8 training needs delayed-scaling variables that the "
                                "optimizer overwrites with their gradients",
    "compute_float8_scale": "part of float8 training (not provided)",
    "compute_float8_amax_history": "part of float8 training (not provided)",
    "quantize_and_dequantize": "part of float8 training (not provided)",
    "fake_quant_with_min_max_vars": "quantization-aware training is not provided",
}

__all__ = ["AbsMaxQuantizer", "Int4QuantizationConfig", "Int8QuantizationConfig",
           "QuantizationConfig", "Quantizer", "abs_max_quantize",
           "abs_max_quantize_grouped_with_zero_point", "deserialize", "get", "pack_int4",
           "serialize", "unpack_int4"]

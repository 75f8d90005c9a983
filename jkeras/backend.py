"""`keras.backend`: the backend name, dtype helpers and session utilities (backend is "jax")."""
from jkeras.core.config import (backend, epsilon, floatx, image_data_format, is_float_dtype,
                                is_int_dtype, result_type, set_epsilon, set_floatx,
                                set_image_data_format, standardize_dtype)
from jkeras.core.naming import get_uid
from jkeras.core.symbolic import KerasTensor
from jkeras.utils import clear_session


def is_keras_tensor(x):
    """True for a symbolic tensor of the functional API (`jkeras.Input(...)` and layer outputs)."""
    return isinstance(x, KerasTensor)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
           "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
           "set_floatx", "set_image_data_format", "standardize_dtype"]

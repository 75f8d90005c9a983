"""jkeras.config / jkeras.backend: Keras's defaults, setters, validation and dtype promotion."""
import numpy as np
import pytest

import jkeras
from jkeras import backend, config


def test_defaults_and_setters_round_trip():
    assert config.backend() == backend.backend() == "jax"
    assert config.floatx() == "float32" and config.epsilon() == 1e-7
    assert config.image_data_format() == "channels_last"
    try:
        config.set_floatx("float16")
        config.set_epsilon(1e-5)
        config.set_image_data_format("Channels_First")
        assert backend.floatx() == "float16" and backend.epsilon() == 1e-5
        assert backend.image_data_format() == "channels_first"
        assert jkeras.ops.ones((2,)).dtype == "float16"
        assert jkeras.ops.exp(np.arange(2)).dtype == "float16"
    finally:
        config.set_floatx("float32")
        config.set_epsilon(1e-7)
        config.set_image_data_format("channels_last")


def test_data_format_default_reaches_the_ops():
    x = np.random.default_rng(0).random((1, 3, 4, 4)).astype("float32")
    try:
        config.set_image_data_format("channels_first")
        out = jkeras.ops.max_pool(x, 2, strides=2)
    finally:
        config.set_image_data_format("channels_last")
    assert out.shape == (1, 3, 2, 2)


def test_invalid_values_raise_keras_errors():
    with pytest.raises(ValueError, match="Unknown `floatx` value: float8"):
        config.set_floatx("float8")
    with pytest.raises(ValueError, match="The `data_format` argument must be one of"):
        config.set_image_data_format("nhwc")
    with pytest.raises(ValueError, match="Invalid dtype: foo"):
        backend.standardize_dtype("foo")


def test_flash_attention_switch():
    assert config.is_flash_attention_enabled() is None
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None


def test_dtype_helpers_match_keras(tf):
    kb = tf.keras.backend
    for d in (None, "float32", "int8", int, float, bool, np.float16, np.dtype("int32"), "bfloat16"):
        expected = "int32" if d is int else kb.standardize_dtype(d)  # int is int32 on JAX
        assert backend.standardize_dtype(d) == expected
    assert backend.is_float_dtype("bfloat16") and not backend.is_float_dtype("int8")
    assert backend.is_int_dtype("uint8") and not backend.is_int_dtype("bool")
    pairs = [("int32", "float32"), ("int8", "int16"), ("uint8", "int8"), ("bfloat16", "float16"),
             ("float16", float), ("int8", int), ("int32", float), ("bool", "int8"), (float,),
             (int, float), ("float64",), ("bool", float), ()]
    for p in pairs:
        expected = kb.result_type(*p)
        expected = {"int64": "int32", "float64": "float32"}.get(expected, expected)  # JAX widths
        assert backend.result_type(*p) == expected, p
    with pytest.raises(ValueError, match="no implicit conversions from float8"):
        backend.result_type("float8_e4m3fn", "float32")


def test_backend_utilities():
    jkeras.utils.clear_session()
    jkeras.layers.Dense(2)
    assert backend.get_uid("dense") == 2 and backend.get_uid("fresh") == 1
    backend.clear_session()
    assert backend.get_uid("dense") == 1
    assert backend.is_keras_tensor(jkeras.Input((3,)))
    assert not backend.is_keras_tensor(np.zeros(3))
    assert config.enable_unsafe_deserialization is jkeras.saving.enable_unsafe_deserialization


def test_layers_data_format_none_follows_image_data_format():
    import numpy as np

    import jkeras
    from jkeras import layers as L
    makers = [lambda: L.Conv2D(2, 3), lambda: L.MaxPooling2D(), lambda: L.Flatten(),
              lambda: L.SpatialDropout2D(0.1), lambda: L.UpSampling2D(),
              lambda: L.AdaptiveAveragePooling2D(2), lambda: L.RandomFlip()]
    jkeras.config.set_image_data_format("channels_first")
    try:
        assert {m().data_format for m in makers} == {"channels_first"}
        assert L.Conv2D(2, 3)(np.ones((1, 3, 8, 8), "float32")).shape == (1, 2, 6, 6)
        assert L.Conv2D(2, 3, data_format="channels_last").data_format == "channels_last"
    finally:
        jkeras.config.set_image_data_format("channels_last")
    assert {m().data_format for m in makers} == {"channels_last"}

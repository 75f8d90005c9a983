"""`jkeras.quantizers` against `keras.quantizers`: abs-max quantization (host and device paths),
`AbsMaxQuantizer`, int4 packing, the int8 config, and get / serialize / deserialize."""
import jax
import numpy as np
import pytest

from jkeras import quantizers as Q


@pytest.fixture
def kq(tf):
    return tf.keras.quantizers


X = np.random.RandomState(0).randn(5, 7).astype("float32")


@pytest.mark.parametrize("axis", [0, -1, (0, 1)])
@pytest.mark.parametrize("to_numpy", [True, False])
def test_abs_max_quantize_equals_keras(kq, axis, to_numpy):
    ours = Q.abs_max_quantize(X, axis, to_numpy=to_numpy)
    theirs = kq.abs_max_quantize(X, axis, to_numpy=to_numpy)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.numpy().dtype
        np.testing.assert_array_equal(np.asarray(a), b.numpy())


def test_abs_max_quantize_runs_under_jit():
    value, scale = jax.jit(lambda x: Q.abs_max_quantize(x, -1, value_range=(-8, 7)))(X)
    assert value.dtype == np.int8 and scale.shape == (5, 1)
    assert np.asarray(value).max() <= 7 and np.asarray(value).min() >= -8


def test_abs_max_quantizer_call_config_and_errors(kq):
    for kwargs in ({}, {"axis": 0}, {"axis": (0, 1), "value_range": (-8, 7)}):
        ours, theirs = Q.AbsMaxQuantizer(**kwargs), kq.AbsMaxQuantizer(**kwargs)
        assert ours.get_config() == theirs.get_config()
        for a, b in zip(ours(X), theirs(X)):
            np.testing.assert_array_equal(np.asarray(a), b.numpy())
        assert Q.serialize(ours) == kq.serialize(theirs)
        again = Q.deserialize(kq.serialize(theirs))
        assert type(again) is Q.AbsMaxQuantizer and again.get_config() == ours.get_config()
    with pytest.raises(ValueError) as ours_error:
        Q.AbsMaxQuantizer(value_range=(-200, 127))
    with pytest.raises(ValueError) as theirs_error:
        kq.AbsMaxQuantizer(value_range=(-200, 127))
    assert str(ours_error.value) == str(theirs_error.value)


def test_base_quantizer_is_identity_and_needs_get_config(kq):
    assert Q.Quantizer()(X) is X
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        Q.Quantizer().get_config()


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("shape", [(5, 7), (4, 6), (3, 2, 5)])
def test_pack_and_unpack_int4_equal_keras(kq, axis, shape):
    values = np.random.RandomState(1).randint(-8, 8, shape).astype("int8")
    packed, packed_shape, length = Q.pack_int4(values, axis)
    theirs, their_shape, their_length = kq.pack_int4(values, axis)
    np.testing.assert_array_equal(np.asarray(packed), theirs.numpy())
    assert (packed_shape, length) == (their_shape, their_length)
    unpacked = Q.unpack_int4(packed, length, axis)
    np.testing.assert_array_equal(np.asarray(unpacked), values)
    np.testing.assert_array_equal(np.asarray(unpacked),
                                  kq.unpack_int4(theirs, their_length, axis).numpy())


def test_pack_int4_errors_equal_keras(kq):
    for fn in (lambda q: q.pack_int4(X, 0), lambda q: q.pack_int4(X.astype("int8"), 0, "int16"),
               lambda q: q.unpack_int4(X, 3)):
        with pytest.raises(Exception) as ours:
            fn(Q)
        with pytest.raises(Exception) as theirs:
            fn(kq)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value).split(",")[0] == str(theirs.value).split(",")[0]


def test_int8_config_serializes_as_keras(kq):
    ours = Q.Int8QuantizationConfig()
    theirs = kq.Int8QuantizationConfig()
    assert ours.mode == theirs.mode == "int8"
    assert Q.serialize(ours) == kq.serialize(theirs)
    again = Q.deserialize(kq.serialize(theirs))
    assert type(again) is Q.Int8QuantizationConfig
    assert again.activation_quantizer.get_config() == ours.activation_quantizer.get_config()
    weight_only = Q.Int8QuantizationConfig(activation_quantizer=None)
    assert Q.serialize(weight_only) == kq.serialize(
        kq.Int8QuantizationConfig(activation_quantizer=None))
    with pytest.raises(ValueError, match="requires a weight_quantizer with output_dtype='int8'"):
        Q.Int8QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(output_dtype="int16"))
    with pytest.raises(NotImplementedError, match="Do not instantiate QuantizationConfig"):
        Q.QuantizationConfig().mode


def test_get_equals_keras(kq):
    assert Q.get(None) is None
    quantizer = Q.AbsMaxQuantizer(axis=0)
    assert Q.get(quantizer) is quantizer
    assert isinstance(Q.get(Q.serialize(quantizer)), Q.AbsMaxQuantizer)
    assert isinstance(Q.get("AbsMaxQuantizer"), Q.AbsMaxQuantizer)
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier: nope"):
        Q.get("nope")


@pytest.mark.parametrize("block_size", [2, 3, 5, 128])
def test_grouped_quantize_with_zero_point_equals_keras(kq, block_size):
    ours = Q.abs_max_quantize_grouped_with_zero_point(X, block_size, to_numpy=True)
    theirs = kq.abs_max_quantize_grouped_with_zero_point(X, block_size, to_numpy=True)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.numpy().dtype
        np.testing.assert_array_equal(np.asarray(a), b.numpy())
    on_device = Q.abs_max_quantize_grouped_with_zero_point(X, block_size)  # the same maths
    for a, b in zip(on_device, ours):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1)


def test_int4_config_serializes_as_keras(kq):
    for kwargs in ({}, {"block_size": -1}, {"block_size": None},
                   {"block_size": -1, "weight_quantizer": "q"}):
        if kwargs.get("weight_quantizer") == "q":
            ours = Q.Int4QuantizationConfig(**{**kwargs, "weight_quantizer": Q.AbsMaxQuantizer(
                axis=0, value_range=(-8, 7))})
            theirs = kq.Int4QuantizationConfig(**{**kwargs, "weight_quantizer":
                                                  kq.AbsMaxQuantizer(axis=0,
                                                                     value_range=(-8, 7))})
        else:
            ours, theirs = Q.Int4QuantizationConfig(**kwargs), kq.Int4QuantizationConfig(**kwargs)
        assert ours.mode == "int4"
        assert Q.serialize(ours) == kq.serialize(theirs)
        again = Q.deserialize(kq.serialize(theirs))
        assert type(again) is Q.Int4QuantizationConfig and again.block_size == ours.block_size
    with pytest.raises(ValueError, match="block_size must be None, -1, or a positive integer"):
        Q.Int4QuantizationConfig(block_size=0)


def test_left_out_names_are_keras_names_not_provided(tf):
    import jkeras
    for ours, theirs in ((Q, tf.keras.quantizers),
                         (jkeras.dtype_policies, tf.keras.dtype_policies)):
        names = {n for n in dir(theirs) if not n.startswith("_")}
        assert set(ours.LEFT_OUT) <= names
        assert not [n for n in ours.LEFT_OUT if hasattr(ours, n)]
        assert not [n for n in names if not hasattr(ours, n) and n not in ours.LEFT_OUT]

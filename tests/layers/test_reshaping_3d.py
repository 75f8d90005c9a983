"""UpSampling3D, ZeroPadding3D, Cropping3D: layer_test with tf.keras parity (channels_last
references; channels_first compared by transposing) and Keras's errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

VOL = (2, 3, 4, 2, 3)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, (2, 6, 8, 4, 3)), ({"size": (1, 2, 3)}, (2, 3, 8, 6, 3)), ({"size": 2}, (2, 6, 8, 4, 3))])
def test_up_sampling3d(tf, kwargs, expected):
    layer_test(L.UpSampling3D, kwargs, input_shape=VOL, expected_output_shape=expected)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, (2, 5, 6, 4, 3)), ({"padding": 2}, (2, 7, 8, 6, 3)),
    ({"padding": ((1, 0), (0, 2), (3, 1))}, (2, 4, 6, 6, 3))])
def test_zero_padding3d(tf, kwargs, expected):
    layer_test(L.ZeroPadding3D, kwargs, input_shape=VOL, expected_output_shape=expected)


@pytest.mark.parametrize("kwargs, expected", [
    ({"cropping": ((1, 0), (1, 1), (0, 1))}, (2, 2, 2, 1, 3)), ({"cropping": (1, 1, 0)},
                                                                 (2, 1, 2, 2, 3))])
def test_cropping3d(tf, kwargs, expected):
    layer_test(L.Cropping3D, kwargs, input_shape=VOL, expected_output_shape=expected)


@pytest.mark.parametrize("cls, kwargs", [
    ("UpSampling3D", {"size": (2, 1, 3)}), ("ZeroPadding3D", {"padding": (1, 2, 0)}),
    ("Cropping3D", {"cropping": ((1, 0), (0, 1), (1, 0))})])
def test_channels_first_equals_transposed_channels_last(tf, cls, kwargs):
    x = np.random.default_rng(0).normal(size=VOL).astype("float32")
    last = np.asarray(getattr(tf.keras.layers, cls)(**kwargs)(x))
    first = getattr(L, cls)(data_format="channels_first", **kwargs)(
        np.transpose(x, (0, 4, 1, 2, 3)))
    np.testing.assert_array_equal(np.transpose(np.asarray(first), (0, 2, 3, 4, 1)), last)


def test_errors():
    with pytest.raises(ValueError, match=r"Cropping3D '.*': values in `cropping` argument should "
                                         r"be smaller"):
        L.Cropping3D(2)(np.zeros(VOL, "float32"))
    with pytest.raises(ValueError, match=r"`padding` should be either an int, a tuple of 3 ints"):
        L.ZeroPadding3D(((1, 1), (1, 1)))
    with pytest.raises(ValueError, match=r"expected ndim=5"):
        L.UpSampling3D()(np.zeros((2, 3, 4, 3), "float32"))

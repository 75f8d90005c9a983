"""ContrastLimitedAdaptiveHistogramEqualization against tf.keras: layer_test, outputs for
tilings that divide the image and ones that need symmetric padding, value ranges, integer
images, channels_first and unbatched images; our construction errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

CLAHE = L.ContrastLimitedAdaptiveHistogramEqualization


def test_layer_test(tf, images):
    layer_test(CLAHE, {"tile_grid_size": (2, 2)}, input_data=images((2, 8, 8, 3)),
               expected_output_shape=(2, 8, 8, 3), rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("kwargs, shape, high", [
    ({}, (2, 16, 16, 3), 255.0),
    ({"tile_grid_size": (3, 2), "clip_limit": 2.0}, (2, 10, 7, 2), 255.0),
    ({"value_range": (0, 1), "clip_limit": 0}, (1, 9, 12, 1), 1.0),
    ({"tile_grid_size": (4, 4)}, (13, 11, 3), 255.0),
])
def test_matches_tf(tf, images, kwargs, shape, high):
    x = images(shape, high=high)
    out = np.asarray(CLAHE(**kwargs)(x))
    ref = tf.keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)(x).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-4 * high)
    assert not np.allclose(out, x)


def test_integer_images_and_channels_first(tf):
    x = np.random.default_rng(3).integers(0, 256, size=(2, 8, 8, 3)).astype("int32")
    ref = tf.keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(2, 2))(x).numpy()
    out = np.asarray(CLAHE(tile_grid_size=(2, 2))(x))
    assert out.dtype == ref.dtype == np.int32
    # the cast truncates: a float32 rounding gap (~3e-5) can move a value that lands on a whole
    # number down by one
    assert np.max(np.abs(out - ref)) <= 1 and np.mean(out == ref) > 0.95
    first = CLAHE(tile_grid_size=(2, 2), data_format="channels_first")
    np.testing.assert_array_equal(np.asarray(first(np.transpose(x, (0, 3, 1, 2)))),
                                  np.transpose(out, (0, 3, 1, 2)))


def test_applied_at_inference_and_errors(images):
    x = images((1, 8, 8, 1))
    layer = CLAHE(tile_grid_size=(2, 2))
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), np.asarray(layer(x)))
    with pytest.raises(ValueError, match="`tile_grid_size` must be a tuple of 2 positive"):
        CLAHE(tile_grid_size=8)
    with pytest.raises(ValueError, match="`value_range` argument should be a list of two"):
        CLAHE(value_range=255)

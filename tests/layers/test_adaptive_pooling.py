"""Adaptive pooling 1D/2D/3D: layer_test with tf.keras parity (uneven bins included), bins
checked by hand, channels_first by transposition, Keras's errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

CASES = [("1D", (2, 7, 3), 3, (2, 3, 3)), ("2D", (2, 7, 5, 2), (3, 2), (2, 3, 2, 2)),
         ("3D", (1, 5, 4, 6, 2), (2, 3, 4), (1, 2, 3, 4, 2))]


@pytest.mark.parametrize("kind", ["Average", "Max"])
@pytest.mark.parametrize("dim, shape, size, expected", CASES)
def test_adaptive_pooling(tf, kind, dim, shape, size, expected):
    layer_test(getattr(L, f"Adaptive{kind}Pooling{dim}"), {"output_size": size},
               input_shape=shape, expected_output_shape=expected)


def test_bins_by_hand():
    x = np.arange(7, dtype="float32").reshape(1, 7, 1)
    avg = np.asarray(L.AdaptiveAveragePooling1D(3)(x))[0, :, 0]
    mx = np.asarray(L.AdaptiveMaxPooling1D(3)(x))[0, :, 0]
    # bins [0, 3), [2, 5), [4, 7)
    np.testing.assert_allclose(avg, [1.0, 3.0, 5.0])
    np.testing.assert_allclose(mx, [2.0, 4.0, 6.0])


@pytest.mark.parametrize("kind", ["Average", "Max"])
def test_channels_first(tf, kind):
    x = np.random.default_rng(0).normal(size=(2, 7, 5, 3)).astype("float32")
    want = getattr(tf.keras.layers, f"Adaptive{kind}Pooling2D")((3, 2))(x)
    got = getattr(L, f"Adaptive{kind}Pooling2D")((3, 2), data_format="channels_first")(
        np.transpose(x, (0, 3, 1, 2)))
    np.testing.assert_allclose(np.transpose(np.asarray(got), (0, 2, 3, 1)), want, rtol=1e-5,
                               atol=1e-6)


def test_errors():
    with pytest.raises(TypeError, match=r"`output_size` must be an integer or \(height, width\) "
                                        r"tuple. Received: \(1, 2, 3\)"):
        L.AdaptiveMaxPooling2D((1, 2, 3))
    with pytest.raises(ValueError, match=r"For 1D input, `output_size` tuple must have length 1"):
        L.AdaptiveAveragePooling1D((1, 2))
    with pytest.raises(ValueError, match=r"Invalid data_format: nhwc"):
        L.AdaptiveAveragePooling3D(2, data_format="nhwc")

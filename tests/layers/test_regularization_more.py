"""GaussianDropout and AlphaDropout: layer_test, training statistics, Keras's errors."""
import jax
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


@pytest.mark.parametrize("cls", [L.GaussianDropout, L.AlphaDropout])
def test_layer_test(tf, cls):
    result = layer_test(cls, {"rate": 0.3, "seed": 2}, input_shape=(2, 4),
                        expected_output_shape=(2, 4), expected_num_trainable_weights=0,
                        expected_num_seed_generators=1, supports_masking=True)
    np.testing.assert_array_equal(result.outputs, result.inputs[0])  # identity in inference


def test_alpha_dropout_noise_shape(tf):
    layer_test(L.AlphaDropout, {"rate": 0.5, "noise_shape": (None, 1, 3)}, input_shape=(2, 4, 3),
               expected_output_shape=(2, 4, 3))


def test_gaussian_dropout_noise_has_keras_statistics():
    layer = L.GaussianDropout(0.2)
    x = np.ones((200, 500), "float32")
    y, _ = layer.apply(layer.init(0, x), x, training=True, rng=jax.random.PRNGKey(0))
    y = np.asarray(y)
    assert abs(y.mean() - 1.0) < 0.01 and abs(y.std() - np.sqrt(0.2 / 0.8)) < 0.01


def test_alpha_dropout_keeps_selu_statistics():
    layer = L.AlphaDropout(0.2)
    x = np.random.default_rng(0).normal(size=(200, 500)).astype("float32")
    y, _ = layer.apply(layer.init(0, x), x, training=True, rng=jax.random.PRNGKey(0))
    y = np.asarray(y)
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = (0.8 * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2)
    assert 0.17 < dropped.mean() < 0.23


@pytest.mark.parametrize("cls", [L.GaussianDropout, L.AlphaDropout])
def test_rate_outside_zero_one_is_refused(cls):
    with pytest.raises(ValueError, match=r"Invalid value received for argument `rate` of "
                                         rf"{cls.__name__}. Expected a float value between 0 "
                                         r"and 1. Received: rate=1.5"):
        cls(1.5)

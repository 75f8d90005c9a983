"""Forward parity with tf.keras on copied weights: Dense (every activation), Flatten,
Normalization.adapt, Add, Concatenate."""
import numpy as np
import pytest

from jkeras import layers as L

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "softplus",
               "softsign", "swish", "silu", "leaky_relu", "exponential", "hard_sigmoid"]
RTOL, ATOL = 1e-6, 1e-6


def inputs(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense(tf, activation, use_bias):
    x = inputs((6, 5)) * 0.5
    ours = L.Dense(4, activation=activation, use_bias=use_bias)
    theirs = tf.keras.layers.Dense(4, activation=activation, use_bias=use_bias)
    theirs(x)
    ours(x)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=RTOL, atol=ATOL)


def test_flatten(tf):
    x = inputs((3, 2, 4, 5))
    for fmt in ("channels_last", "channels_first"):
        np.testing.assert_array_equal(L.Flatten(data_format=fmt)(x),
                                      tf.keras.layers.Flatten(data_format=fmt)(x).numpy())


@pytest.mark.parametrize("axis", [-1, None, (1, 2)])
def test_normalization_adapt(tf, axis):
    x = (inputs((40, 3, 4)) * 7 + 3).astype(np.float32)
    ours, theirs = L.Normalization(axis=axis), tf.keras.layers.Normalization(axis=axis)
    ours.adapt(x)
    theirs.adapt(x)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=1e-6)


def test_normalization_adapt_on_batches(tf):
    x = inputs((50, 3)) * 4
    batches = [x[i:i + 16] for i in range(0, 50, 16)]
    ours, theirs = L.Normalization(), tf.keras.layers.Normalization()
    ours.adapt(batches)
    theirs.adapt(tf.data.Dataset.from_tensor_slices(x).batch(16))
    for a, b in zip(ours.get_weights()[:2], theirs.get_weights()[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=ATOL)


def test_add_and_concatenate(tf):
    a, b, c = inputs((4, 3), 1), inputs((4, 3), 2), inputs((4, 3), 3)
    np.testing.assert_allclose(L.Add()([a, b, c]), tf.keras.layers.Add()([a, b, c]).numpy(), rtol=RTOL)
    for axis in (-1, 1, 0):
        np.testing.assert_array_equal(L.Concatenate(axis=axis)([a, b]),
                                      tf.keras.layers.Concatenate(axis=axis)([a, b]).numpy())

"""Masking and PReLU: layer_test with tf.keras parity, the mask Keras computes, errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


def test_masking(tf):
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    result = layer_test(L.Masking, {"mask_value": 0.0}, input_data=x,
                        expected_output_shape=(2, 4, 3), supports_masking=True)
    mask = np.asarray(result.layer.compute_mask(x, None))
    theirs = tf.keras.layers.Masking(0.0)
    np.testing.assert_array_equal(mask, np.asarray(theirs.compute_mask(x)))
    assert mask.tolist() == [[True, False, True, True], [True, True, True, False]]


def test_masking_other_value_zeroes_those_steps(tf):
    x = np.ones((1, 3, 2), "float32")
    x[0, 2] = -1.0
    result = layer_test(L.Masking, {"mask_value": -1.0}, input_data=x)
    np.testing.assert_array_equal(np.asarray(result.outputs)[0, 2], [0.0, 0.0])


def test_prelu(tf):
    layer_test(L.PReLU, {"alpha_initializer": "random_uniform"}, input_shape=(2, 3, 4),
               expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


def test_prelu_shared_axes(tf):
    result = layer_test(L.PReLU, {"shared_axes": [1, 2], "alpha_initializer": "ones"},
                        input_shape=(2, 3, 3, 4), expected_output_shape=(2, 3, 3, 4))
    assert result.layer.get_weights()[0].shape == (1, 1, 4)


def test_prelu_shared_axis_out_of_range():
    with pytest.raises(ValueError, match=r"PReLU\): `shared_axes` entries must be axes 1..2"):
        L.PReLU(shared_axes=3)(np.zeros((2, 3, 4), "float32"))


def test_masking_feeds_an_lstm_in_a_model_as_keras(tf):
    import jkeras
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    x[1, 1] = 0.0
    ours = jkeras.Sequential([jkeras.Input((5, 3)), L.Masking(),
                              L.LSTM(4, return_sequences=True)])
    theirs = tf.keras.Sequential([tf.keras.Input((5, 3)), tf.keras.layers.Masking(),
                                  tf.keras.layers.LSTM(4, return_sequences=True)])
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-5, atol=1e-6)
    inp = jkeras.Input((5, 3))
    functional = jkeras.Model(inp, L.LSTM(4)(L.Masking()(inp)))
    tf_inp = tf.keras.Input((5, 3))
    tf_out = tf.keras.layers.LSTM(4)(tf.keras.layers.Masking()(tf_inp))
    tf_functional = tf.keras.Model(tf_inp, tf_out)
    tf_functional.set_weights(functional.get_weights())
    np.testing.assert_allclose(functional(x), tf_functional(x), rtol=1e-5, atol=1e-6)

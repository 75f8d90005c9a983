"""ConvLSTM1D/2D/3D: layer_test with tf.keras parity on copied weights (state, sequences,
go_backwards, masks, dropout in training), channels_first by transposition, errors."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test


@pytest.mark.parametrize("cls, kwargs, shape, expected", [
    ("ConvLSTM1D", {"filters": 2, "kernel_size": 3}, (2, 3, 6, 2), (2, 4, 2)),
    ("ConvLSTM2D", {"filters": 2, "kernel_size": 3, "padding": "same", "strides": 2,
                    "return_sequences": True}, (2, 3, 5, 5, 2), (2, 3, 3, 3, 2)),
    ("ConvLSTM2D", {"filters": 3, "kernel_size": (2, 3), "dilation_rate": 2,
                    "return_state": True, "go_backwards": True, "unit_forget_bias": False},
     (2, 2, 6, 7, 1), [(2, 4, 3, 3)] * 3),
    ("ConvLSTM3D", {"filters": 2, "kernel_size": 2, "use_bias": False}, (1, 2, 3, 4, 3, 2),
     (1, 2, 3, 2, 2)),
])
def test_conv_lstm(tf, cls, kwargs, shape, expected):
    n = 3 if kwargs.get("use_bias", True) else 2
    layer_test(getattr(L, cls), kwargs, input_shape=shape, expected_output_shape=expected,
               expected_num_trainable_weights=n, supports_masking=True)


def test_dropout_in_training(tf):
    layer_test(L.ConvLSTM1D, {"filters": 2, "kernel_size": 2, "dropout": 0.3,
                              "recurrent_dropout": 0.2, "seed": 1},
               input_shape=(2, 3, 5, 2), expected_output_shape=(2, 4, 2))


def test_mask_matches_tf_keras(tf):
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    ours = L.ConvLSTM1D(2, 3, return_sequences=True)
    theirs = tf.keras.layers.ConvLSTM1D(2, 3, return_sequences=True)
    ours(x)
    theirs(x)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x, mask=mask), theirs(x, mask=mask), rtol=1e-5, atol=1e-6)


def test_channels_first_equals_transposed_channels_last(tf):
    x = np.random.default_rng(1).normal(size=(2, 3, 5, 5, 2)).astype("float32")
    last = L.ConvLSTM2D(2, 3, padding="same")
    first = L.ConvLSTM2D(2, 3, padding="same", data_format="channels_first")
    want = last(x)
    first(np.transpose(x, (0, 1, 4, 2, 3)))
    first.set_weights(last.get_weights())
    got = first(np.transpose(x, (0, 1, 4, 2, 3)))
    np.testing.assert_allclose(np.transpose(np.asarray(got), (0, 2, 3, 1)), want, rtol=1e-5,
                               atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match=r"ConvLSTM2D: The `kernel_size` argument must be a "
                                         r"tuple of 2 integers"):
        L.ConvLSTM2D(2, (1, 2, 3))
    with pytest.raises(ValueError, match=r"batch size must be static"):
        L.ConvLSTM1D(2, 3, stateful=True)(jkeras.Input((4, 5, 1)))
    with pytest.raises(ValueError, match=r"expected ndim=5"):
        L.ConvLSTM2D(2, 3)(np.zeros((2, 3, 5, 2), "float32"))

"""STFTSpectrogram through layer_test (tf.keras parity on the same kernels) for every mode;
channels_first against tf.keras's channels_last result, transposed (TF's NCW convolutions
depend on the CPU); Keras's construction errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

CASES = [dict(frame_length=16), dict(mode="magnitude", frame_length=16, frame_step=5),
         dict(mode="stft", frame_length=8, frame_step=3, padding="same"),
         dict(mode="psd", frame_length=6, fft_length=16, expand_dims=True, scaling="spectrum"),
         dict(mode="angle", frame_length=8, periodic=True),
         dict(mode="real", frame_length=8, window=None, scaling=None),
         dict(mode="imag", frame_length=8, window="hamming", expand_dims=True)]


@pytest.mark.parametrize("kwargs", CASES)
def test_layer_and_tf_parity(tf, kwargs):
    result = layer_test(L.STFTSpectrogram, kwargs, input_shape=(2, 40, 3),
                        expected_num_trainable_weights=1 if kwargs.get("mode") in ("real", "imag")
                        else 2)
    assert result.tf_outputs is not None


@pytest.mark.parametrize("kwargs", [dict(mode="log", frame_length=8),
                                    dict(mode="stft", frame_length=8, expand_dims=True)])
def test_channels_first_is_channels_last_transposed(tf, kwargs):
    x = np.random.default_rng(1).normal(size=(2, 3, 30)).astype("float32")
    ours = L.STFTSpectrogram(data_format="channels_first", **kwargs)
    out = np.asarray(ours(x))
    theirs = tf.keras.layers.STFTSpectrogram(data_format="channels_last", **kwargs)
    ref = theirs(np.transpose(x, (0, 2, 1))).numpy()
    ref = np.transpose(ref, (0, 3, 1, 2) if kwargs.get("expand_dims") else (0, 2, 1))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    assert ours.compute_output_shape((2, 3, 30)) == out.shape


@pytest.mark.parametrize("kwargs, match", [
    (dict(frame_length=8, frame_step=9), "`frame_step` should be a positive integer"),
    (dict(frame_length=8, fft_length=4), "`fft_length` should be not less than"),
    (dict(mode="power"), "Output mode is invalid"),
    (dict(scaling="max"), "Scaling is invalid"),
    (dict(padding="causal"), "Padding is invalid"),
])
def test_construction_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        L.STFTSpectrogram(**kwargs)


def test_integer_signal_is_refused_and_odd_fft_length_warns():
    with pytest.warns(UserWarning, match="power of two"):
        L.STFTSpectrogram(frame_length=8, fft_length=12)
    with pytest.raises(TypeError, match="Expected `float16`, `float32` or `float64`"):
        L.STFTSpectrogram(frame_length=8)(np.ones((1, 20, 1), "int32"))

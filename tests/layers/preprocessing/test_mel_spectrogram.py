"""MelSpectrogram through layer_test with tf.keras parity (float32 FFTs differ in summation order
between TF and XLA: dB outputs agree to ~2e-5 relative), the filterbank equal to tf.keras's, and
Keras's construction error."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

CASES = [
    (dict(fft_length=64, sequence_stride=16, num_mel_bins=10, sampling_rate=8000), (2, 200)),
    (dict(fft_length=64, sequence_stride=20, sequence_length=48, num_mel_bins=8,
          power_to_db=False, mag_exp=1.0, min_freq=100.0, max_freq=3000), (2, 150)),
    (dict(fft_length=32, sequence_stride=8, num_mel_bins=6, window="hamming", top_db=20.0,
          ref_power=2.0), (100,)),
]


@pytest.mark.parametrize("kwargs, shape", CASES)
def test_layer_and_tf_parity(tf, kwargs, shape):
    result = layer_test(L.MelSpectrogram, kwargs, input_shape=shape, rtol=5e-5, atol=1e-4,
                        expected_num_trainable_weights=0)
    assert result.tf_outputs is not None
    frames = (shape[-1] + kwargs["sequence_stride"] + 1) // kwargs["sequence_stride"]
    assert result.outputs.shape == shape[:-1] + (kwargs["num_mel_bins"], frames)


def test_filterbank_equals_tf_keras(tf):
    kwargs = dict(num_mel_bins=12, num_spectrogram_bins=65, sampling_rate=16000,
                  lower_edge_hertz=50.0, upper_edge_hertz=7000.0)
    ours = np.asarray(L.MelSpectrogram().linear_to_mel_weight_matrix(**kwargs))
    theirs = np.asarray(tf.keras.layers.MelSpectrogram().linear_to_mel_weight_matrix(**kwargs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_defaults_and_error(tf):
    assert L.MelSpectrogram().get_config()["max_freq"] == 8000
    with pytest.raises(ValueError, match="`fft_length` must be greater than or equal to"):
        L.MelSpectrogram(fft_length=32, sequence_length=64)

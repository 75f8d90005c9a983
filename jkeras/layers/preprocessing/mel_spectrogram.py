"""MelSpectrogram: |STFT|^mag_exp (centered frames, `ops.stft`), warped to the mel scale by
Keras's HTK filterbank (`linear_to_mel_weight_matrix`), then optionally to decibels; on the
device. Signals (time,) or (batch, time) -> (num_mel_bins, frames) or (batch, ...)."""
import jax.numpy as jnp

from jkeras import ops
from jkeras.core.layer import Layer

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


class MelSpectrogram(Layer):
    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None,
                 power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0,
                 **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to   `sequence_length`. "
                             f"Received: `sequence_length`={self.sequence_length}, "
                             f"`fft_length`={self.fft_length}.")
        self.window, self.sampling_rate, self.num_mel_bins = window, sampling_rate, num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = self.dtype if self.dtype in ("float32", "float64") else "float32"
        x = jnp.asarray(inputs).astype(dtype)
        real, imag = ops.stft(x, sequence_length=self.sequence_length,
                              sequence_stride=self.sequence_stride, fft_length=self.fft_length,
                              window=self.window, center=True)
        spec = jnp.power(jnp.sqrt(jnp.square(real) + jnp.square(imag)), self.mag_exp)
        matrix = self.linear_to_mel_weight_matrix(
            num_mel_bins=self.num_mel_bins, num_spectrogram_bins=spec.shape[-1],
            sampling_rate=self.sampling_rate, lower_edge_hertz=self.min_freq,
            upper_edge_hertz=self.max_freq, dtype=dtype)
        out = jnp.tensordot(spec, matrix, axes=1)
        if self.power_to_db:
            out = self._dbscale(out)
        return jnp.swapaxes(out, -1, -2).astype(self.dtype)

    def _dbscale(self, x):
        log_spec = 10.0 * jnp.log10(jnp.maximum(x, self.min_power))
        ref = jnp.abs(jnp.asarray(self.ref_power, x.dtype))
        log_spec -= 10.0 * jnp.log10(jnp.maximum(ref, self.min_power))
        return jnp.maximum(log_spec, jnp.max(log_spec) - self.top_db)

    @staticmethod
    def _hertz_to_mel(hertz):
        return _MEL_HIGH_FREQUENCY_Q * jnp.log(1.0 + hertz / _MEL_BREAK_FREQUENCY_HERTZ)

    def linear_to_mel_weight_matrix(self, num_mel_bins=20, num_spectrogram_bins=129,
                                    sampling_rate=8000, lower_edge_hertz=125.0,
                                    upper_edge_hertz=3800.0, dtype="float32"):
        """(num_spectrogram_bins, num_mel_bins) triangular HTK filters with peak 1; the DC bin
        row is zero (Keras's, from tf.signal)."""
        nyquist = jnp.asarray(sampling_rate, dtype) / 2.0
        zero = jnp.asarray(0.0, dtype)
        bins_mel = self._hertz_to_mel(jnp.linspace(zero, nyquist, num_spectrogram_bins)[1:])[:, None]
        edges = jnp.linspace(self._hertz_to_mel(jnp.asarray(lower_edge_hertz, dtype)),
                             self._hertz_to_mel(jnp.asarray(upper_edge_hertz, dtype)),
                             num_mel_bins + 2)
        lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
        weights = jnp.maximum(zero, jnp.minimum((bins_mel - lower) / (center - lower),
                                                (upper - bins_mel) / (upper - center)))
        return jnp.pad(weights, [(1, 0), (0, 0)])

    def compute_output_shape(self, input_shape):
        time = input_shape[-1]
        frames = None if time is None else (time + self.sequence_stride + 1) // \
            self.sequence_stride
        out = (self.num_mel_bins, frames)
        return out if len(input_shape) == 1 else (input_shape[0],) + out

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}

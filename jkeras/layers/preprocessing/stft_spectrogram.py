"""STFTSpectrogram: Keras's short-time Fourier transform as a 1-D convolution whose kernels are
weights (`real_kernel`, `imag_kernel`, from the STFT initializer: trainable, as in Keras), on
(batch, time, channels) signals (channels_first: (batch, channels, time))."""
import math
import warnings

import jax.numpy as jnp
import scipy.signal

from jkeras import initializers, ops
from jkeras.core import config
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import conv_utils as cu

_MODES = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]


class STFTSpectrogram(Layer):
    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than "
                             f"`frame_length`. Received frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. Received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn("`fft_length` is recommended to be a power of two. Received "
                          f"fft_length={fft_length}", stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. "
                             f"Received: mode={mode}")
        if scaling is not None and scaling not in ["density", "spectrum"]:
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ["valid", "same"]:
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: "
                             f"padding={padding}")
        if isinstance(window, str):
            scipy.signal.get_window(window, 1)  # Keras's check: an unknown name raises
        super().__init__(**kwargs)
        self.mode, self.frame_length, self.frame_step = mode, frame_length, frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window, self.periodic, self.scaling = window, periodic, scaling
        self.padding, self.expand_dims = padding, expand_dims
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != {"real": "imag", "imag": "real"}[side]:
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape, initializer=initializers.STFT(
                        side, self.window, self.scaling, self.periodic)))

    def _apply_conv(self, inputs, kernel):
        """(batch, time, channels) -> (batch, channels, freq, frames) (any data format)."""
        last = self.data_format == "channels_last"
        x = jnp.transpose(inputs, (0, 2, 1)) if last else inputs
        batch, channels, time = x.shape
        x = x.reshape(batch * channels, time, 1)  # one signal per row, channels_last
        out = ops.conv(x, kernel.astype(x.dtype), strides=self._frame_step,
                       padding=self.padding, data_format="channels_last")
        return jnp.transpose(out, (0, 2, 1)).reshape(batch, channels, out.shape[2], -1)

    def _adjust_shapes(self, x):
        batch, channels, freq, frames = x.shape
        if self.expand_dims:
            return jnp.transpose(x, (0, 3, 2, 1) if self.data_format == "channels_last"
                                 else (0, 1, 3, 2))
        x = x.reshape(batch, channels * freq, frames)
        return jnp.transpose(x, (0, 2, 1)) if self.data_format == "channels_last" else x

    def call(self, inputs):
        if jnp.dtype(inputs.dtype).name not in ("float16", "float32", "float64"):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            f"Received: input type={inputs.dtype}")
        real = self._apply_conv(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._apply_conv(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._adjust_shapes(real)
        if self.mode == "imag":
            return self._adjust_shapes(imag)
        if self.mode == "angle":
            return self._adjust_shapes(jnp.arctan2(imag, real))
        if self.mode == "stft":
            return self._adjust_shapes(jnp.concatenate([real, imag], axis=2))
        power = jnp.square(real) + jnp.square(imag)
        if self.mode == "psd":
            return self._adjust_shapes(
                power + jnp.pad(power[:, :, 1:-1, :], [(0, 0), (0, 0), (1, 1), (0, 0)]))
        eps = config.epsilon()
        linear = self._adjust_shapes(jnp.sqrt(jnp.maximum(power, eps)))
        return linear if self.mode == "magnitude" else jnp.log(jnp.maximum(linear, eps))

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        batch = input_shape[0]
        time, channels = (input_shape[1], input_shape[2]) if last else \
            (input_shape[2], input_shape[1])
        freq = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = cu.window_output_size(time, self.frame_length, self._frame_step, self.padding)
        if self.expand_dims:
            return (batch, frames, freq, channels) if last else (batch, channels, frames, freq)
        width = None if channels is None else freq * channels
        return (batch, frames, width) if last else (batch, width, frames)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}

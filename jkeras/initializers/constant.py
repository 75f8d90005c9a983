"""Deterministic initializers: Zeros, Ones, Constant, Identity, STFT."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import scipy.signal  # a dependency of jax itself

from jkeras.initializers.base import Initializer


class Zeros(Initializer):
    """All zeros."""

    def generate(self, shape, dtype, key):
        return jnp.zeros(shape, dtype)


class Ones(Initializer):
    """All ones."""

    def generate(self, shape, dtype, key):
        return jnp.ones(shape, dtype)


class Constant(Initializer):
    """`value` (a scalar, or an array broadcast to `shape`) cast to `dtype`."""

    def __init__(self, value=0.0):
        self.value = value

    def generate(self, shape, dtype, key):
        return jnp.asarray(self.value, dtype) * jnp.ones(shape, dtype)

    def get_config(self):
        v = self.value
        if isinstance(v, (np.ndarray, jax.Array)):  # Keras's numpy encoding
            arr = np.asarray(v)
            v = {"class_name": "__numpy__",
                 "config": {"value": arr.tolist(), "dtype": str(arr.dtype)}}
        elif isinstance(v, np.generic):
            v = v.item()
        return {"value": v}

    @classmethod
    def from_config(cls, config):
        v = config.get("value", 0.0)
        if isinstance(v, dict) and v.get("class_name") == "__numpy__":
            v = np.asarray(v["config"]["value"], dtype=v["config"]["dtype"])
        return cls(v)


class Identity(Initializer):
    """`gain * eye(rows, cols)`; only for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def generate(self, shape, dtype, key):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return jnp.asarray(self.gain, dtype) * jnp.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


class STFT(Initializer):
    """Kernels of the short-time Fourier transform as a 1-D convolution (Keras's STFT):
    shape (frame_length, input_channels, fft_length); cos (side="real") or sin
    (side="imag") of -2π·t·f / ((fft_length - 1)·2), times `window` (a scipy window name
    or an array), divided by sqrt(sum(w²)) ("density") or sum(|w|) ("spectrum")."""

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ["real", "imag"]:
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str):
            # throws an exception for invalid window function
            scipy.signal.get_window(window, 1)
        if scaling is not None and scaling not in ["density", "spectrum"]:
            raise ValueError(
                "Scaling is invalid, it must be `None`, 'density' "
                f"or 'spectrum'. Received scaling={scaling}"
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def generate(self, shape, dtype, key):
        frame_length, _, fft_length = shape
        win, scaling = None, 1
        if self.window is not None:
            win = self.window
            if isinstance(win, str):
                win = scipy.signal.get_window(win, frame_length, self.periodic)
            win = jnp.asarray(win, dtype)
            if len(win.shape) != 1 or win.shape[-1] != frame_length:
                raise ValueError(
                    "The shape of `window` must be equal to [frame_length]."
                    f"Received: window shape={win.shape}"
                )
            win = jnp.reshape(win, [frame_length, 1, 1])
            if self.scaling == "density":
                scaling = jnp.sqrt(jnp.sum(jnp.square(win)))
            elif self.scaling == "spectrum":
                scaling = jnp.sum(jnp.abs(win))
        freq = jnp.reshape(jnp.arange(fft_length, dtype=dtype), (1, 1, fft_length)) / (
            (fft_length - 1) * 2)
        time = jnp.reshape(jnp.arange(frame_length, dtype=dtype), (frame_length, 1, 1))
        args = (-2 * time * freq) * jnp.asarray(math.pi, dtype)
        kernel = (jnp.cos(args) if self.side == "real" else jnp.sin(args)).astype(dtype)
        if win is not None:
            kernel = kernel * win / scaling
        return kernel

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


# ---- random initializers ----

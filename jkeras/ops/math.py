"""The math ops of `keras.ops`: segment reductions, top-k, FFT/STFT, special functions.

Complex results come as `(real, imag)` pairs and complex inputs are given as such pairs, as
Keras does.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import config
from jkeras.ops.core import convert_to_tensor

_t = convert_to_tensor

__all__ = ["cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2",
           "in_top_k", "irfft", "istft", "logdet", "logsumexp", "rfft", "rsqrt", "segment_max",
           "segment_min", "segment_prod", "segment_sum", "stft", "top_k", "view_as_complex",
           "view_as_real"]


def _segment_args(data, segment_ids, num_segments):
    data, segment_ids = _t(data), _t(segment_ids)
    if segment_ids.ndim > 1:
        raise ValueError(
            "Argument `segment_ids` should be an 1-D vector, got shape: "
            f"{segment_ids.ndim}. Consider either flatten input with "
            "segment_ids.reshape((-1)) and "
            "data.reshape((-1, ) + data.shape[len(segment_ids.shape):]) or vectorize with vmap.")
    if segment_ids.shape[0] != data.shape[0]:
        raise ValueError("Argument `segment_ids` and `data` should have same leading "
                         f"dimension. Got {segment_ids.shape} v.s. {data.shape}.")
    if num_segments is None:
        raise ValueError("Argument `num_segments` must be set when using the JAX backend. "
                         "Received: num_segments=None")
    return data, segment_ids


def _segment(name, jfn):
    def op(data, segment_ids, num_segments=None, sorted=False):
        data, segment_ids = _segment_args(data, segment_ids, num_segments)
        return jfn(data, segment_ids, num_segments, indices_are_sorted=sorted)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Per-segment {name[8:]} of `data` (`num_segments` is required on JAX); "
                  "empty segments hold the reduction's identity.")
    return op


segment_sum = _segment("segment_sum", jax.ops.segment_sum)
segment_max = _segment("segment_max", jax.ops.segment_max)
segment_min = _segment("segment_min", jax.ops.segment_min)
segment_prod = _segment("segment_prod", jax.ops.segment_prod)


def top_k(x, k, sorted=True):
    """`(values, indices)` of the `k` largest entries along the last axis (always sorted)."""
    return jax.lax.top_k(_t(x), k)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions (ties count in)."""
    targets, predictions = _t(targets), _t(predictions)
    at_label = jnp.take_along_axis(predictions, targets[..., None], axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along `axis`, computed stably."""
    return jax.scipy.special.logsumexp(_t(x), axis=axis, keepdims=keepdims)


def cdist(x, y):
    """Euclidean distances between the rows of `x` and `y` (batched over leading axes)."""
    x, y = _t(x), _t(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError("`cdist` inputs must have rank >= 2")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError("Last dimension of inputs to `cdist` must match")
    d = x[..., :, None, :] - y[..., None, :, :]
    return jnp.sqrt(jnp.sum(d * d, axis=-1))


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` taken every `sequence_stride` along the last axis."""
    x = _t(x)
    *batch, n = x.shape
    frames = (n - sequence_length) // sequence_stride + 1
    idx = np.arange(frames)[:, None] * sequence_stride + np.arange(sequence_length)[None, :]
    return jnp.reshape(x, (*batch, n))[..., idx]


def _complex(x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         f"Received: x={x}")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape != imag.shape:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         "Both the real and imaginary parts should have the same shape. "
                         f"Received: x[0].shape = {real.shape}, x[1].shape = {imag.shape}")
    if not (jnp.issubdtype(real.dtype, jnp.floating) and jnp.issubdtype(imag.dtype, jnp.floating)):
        raise ValueError(f"At least one tensor in input `x` is not of type float.Received: x={x}.")
    return jax.lax.complex(real, imag)


def _pair(z):
    return jnp.real(z), jnp.imag(z)


def fft(x):
    """FFT along the last axis of the complex `(real, imag)` input."""
    return _pair(jnp.fft.fft(_complex(x)))


def fft2(x):
    """2-D FFT over the last two axes of `(real, imag)`."""
    return _pair(jnp.fft.fft2(_complex(x)))


def ifft2(x):
    """Inverse 2-D FFT over the last two axes of `(real, imag)`."""
    return _pair(jnp.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    """FFT of the real `x` along the last axis, as `(real, imag)`."""
    return _pair(jnp.fft.rfft(_t(x), n=fft_length, axis=-1, norm="backward"))


def irfft(x, fft_length=None):
    """Inverse of `rfft`: a real signal from `(real, imag)`."""
    return jnp.fft.irfft(_complex(x), n=fft_length, axis=-1, norm="backward")


def _window(window, sequence_length, fft_length, dtype):
    l_pad = (fft_length - sequence_length) // 2
    r_pad = fft_length - sequence_length - l_pad
    if window is None:
        return jnp.ones((fft_length,), dtype=dtype), False
    if isinstance(window, str):
        # scipy.signal.get_window's periodic ("DFT-even") windows
        n = np.arange(sequence_length)
        a = 0.5 if window == "hann" else 0.54
        win = jnp.asarray(a - (1 - a) * np.cos(2 * np.pi * n / sequence_length), dtype=dtype)
    else:
        win = _t(window, dtype=dtype)
    if win.ndim != 1 or win.shape[-1] != sequence_length:
        raise ValueError("The shape of `window` must be equal to [sequence_length]."
                         f"Received: window shape={win.shape}")
    return jnp.pad(win, [[l_pad, r_pad]]), True


def _check_stride(sequence_stride):
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError("`sequence_stride` must be a positive integer. "
                         f"Received: sequence_stride={sequence_stride}")


def _check_window_name(window):
    if isinstance(window, str) and window not in {"hann", "hamming"}:
        raise ValueError("If a string is passed to `window`, it must be one of "
                         f'`"hann"`, `"hamming"`. Received: window={window}')


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis, as `(real, imag)` of shape
    `(..., frames, fft_length // 2 + 1)`."""
    _check_stride(sequence_stride)
    x = _t(x)
    if config.standardize_dtype(x.dtype) not in {"float32", "float64"}:
        raise TypeError("Invalid input type. Expected `float32` or `float64`. "
                        f"Received: input type={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. "
                         f"Received: sequence_length={sequence_length}, fft_length={fft_length}")
    _check_window_name(window)
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = jnp.pad(x, pad, mode="reflect")
    win, _ = _window(window, sequence_length, fft_length, x.dtype)
    frames = extract_sequences(x, fft_length, sequence_stride) * win
    return _pair(jnp.fft.rfft(frames, n=fft_length, axis=-1))


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of `stft` by overlap-add: a real signal from `(real, imag)` frames."""
    _check_stride(sequence_stride)
    z = _complex(x)
    dtype = jnp.real(z).dtype
    if z.ndim < 2:
        raise ValueError(f"Input `x` must have at least 2 dimensions. Received shape: {z.shape}")
    _check_window_name(window)
    win, has_window = _window(window, sequence_length, fft_length, dtype)
    frames = jnp.fft.irfft(z, n=fft_length, axis=-1) * win
    n_frames = z.shape[-2]
    out_len = fft_length + sequence_stride * (n_frames - 1)
    pos = (np.arange(n_frames)[:, None] * sequence_stride + np.arange(fft_length)[None, :])
    signal = jnp.zeros(z.shape[:-2] + (out_len,), dtype).at[..., pos].add(frames)
    norm = jnp.zeros((out_len,), dtype).at[pos].add(jnp.broadcast_to(win * win, pos.shape))
    # scipy.signal.istft divides by the summed squared window where it is non-negligible
    signal = jnp.where(norm > 1e-10, signal / jnp.where(norm > 1e-10, norm, 1.0), signal)
    if not has_window:
        signal = signal * (fft_length / sequence_stride)  # Keras's scaling without a window
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = out_len - fft_length // 2
    else:
        end = out_len
    return signal[..., start:end]


def rsqrt(x):
    """`1 / sqrt(x)` element-wise."""
    return jax.lax.rsqrt(_t(x))


def erf(x):
    """The error function."""
    return jax.lax.erf(_t(x))


def erfc(x):
    """The complementary error function."""
    return jax.scipy.special.erfc(_t(x))


def erfinv(x):
    """The inverse error function."""
    return jax.scipy.special.erfinv(_t(x))


def logdet(x):
    """`log(det(x))` of Hermitian positive definite matrices."""
    return jnp.linalg.slogdet(_t(x))[1]


def view_as_complex(x):
    """A complex64 tensor from `x` whose last axis (size 2) holds real and imaginary parts."""
    x = _t(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError("Last dimension of input must be size 2 (real and imaginary). "
                         f"Received shape: {x.shape}")
    return x[..., 0].astype("complex64") + 1j * x[..., 1].astype("complex64")


def view_as_real(x):
    """Real and imaginary parts of `x` stacked on a new last axis."""
    x = _t(x)
    return jnp.stack((jnp.real(x), jnp.imag(x)), axis=-1)

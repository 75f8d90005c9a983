"""The neural-network ops of `keras.ops.nn` on jax.nn / jax.lax, with Keras's arguments.

Convolution kernels are Keras's layout `(*spatial, in_channels, out_channels)` (transpose:
`(*spatial, out_channels, in_channels)`); `data_format=None` means `config.image_data_format()`.
"""
import math
import warnings

import jax
import jax.numpy as jnp
import optax
from jax import lax
from jax import nn as jnn

from jkeras.core import config
from jkeras.ops import linalg
from jkeras.ops.core import cast, convert_to_tensor
from jkeras.ops.einops import rearrange

_t = convert_to_tensor

__all__ = ["adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization",
           "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "conv_transpose",
           "ctc_decode", "ctc_loss", "depth_to_space", "depthwise_conv", "dot_product_attention",
           "elu", "fold", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
           "hard_tanh", "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax",
           "max_pool", "moments", "multi_hot", "normalize", "one_hot", "polar", "psnr", "relu",
           "relu6", "rms_normalization", "selu", "separable_conv", "sigmoid", "silu",
           "soft_shrink", "softmax", "softplus", "softsign", "space_to_depth",
           "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid", "sparsemax",
           "squareplus", "swish", "tanh_shrink", "threshold", "unfold"]


def _act(name, fn):
    def op(x):
        return fn(_t(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The `{name}` activation, element-wise."
    return op


relu = _act("relu", jnn.relu)
relu6 = _act("relu6", jnn.relu6)
sigmoid = _act("sigmoid", jnn.sigmoid)
sparse_sigmoid = _act("sparse_sigmoid", jnn.sparse_sigmoid)
softplus = _act("softplus", jnn.softplus)
softsign = _act("softsign", jnn.soft_sign)
sparse_plus = _act("sparse_plus", jnn.sparse_plus)
silu = _act("silu", jnn.silu)
swish = _act("swish", jnn.silu)
log_sigmoid = _act("log_sigmoid", jnn.log_sigmoid)
hard_sigmoid = _act("hard_sigmoid", jnn.hard_sigmoid)
hard_silu = _act("hard_silu", jnn.hard_silu)
hard_swish = _act("hard_swish", jnn.hard_silu)
selu = _act("selu", jnn.selu)
hard_tanh = _act("hard_tanh", jnn.hard_tanh)
tanh_shrink = _act("tanh_shrink", lambda x: x - jnp.tanh(x))


def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`."""
    return jnn.squareplus(_t(x), b=b)


def leaky_relu(x, negative_slope=0.2):
    """`x` if positive, else `negative_slope * x`."""
    return jnn.leaky_relu(_t(x), negative_slope=negative_slope)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return jnn.elu(_t(x), alpha=alpha)


def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit."""
    return jnn.celu(_t(x), alpha=alpha)


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation by default, as Keras's op)."""
    return jnn.gelu(_t(x), approximate)


def glu(x, axis=-1):
    """Gated linear unit: first half times sigmoid of the second half along `axis`."""
    return jnn.glu(_t(x), axis=axis)


def soft_shrink(x, threshold=0.5):
    """Shrink towards zero by `threshold`; zero inside `[-threshold, threshold]`."""
    x = _t(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    x = _t(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = _t(x)
    return jnp.where(x > threshold, x, default_value)


def _over_axes(fn, x, axis):
    # A tuple of axes: move them last, flatten them into one, apply, and undo.
    keep = [v for v in range(x.ndim) if v not in axis]
    moved = jnp.transpose(x, (*keep, *axis))
    out = fn(jnp.reshape(moved, (*[x.shape[v] for v in keep], -1)), axis=-1)
    order = [*keep, *axis]
    return jnp.transpose(jnp.reshape(out, moved.shape),
                         sorted(range(len(order)), key=order.__getitem__))


def softmax(x, axis=-1):
    """Softmax along `axis` (an int or a tuple of axes)."""
    x = _t(x)
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(f"You are using a softmax over axis {axis} of a tensor of shape {x.shape}. "
                      "This axis has size 1. The softmax operation will always return the value "
                      "1, which is likely not what you intended. Did you mean to use a sigmoid "
                      "instead?")
    if isinstance(axis, tuple):
        return _over_axes(jnn.softmax, x, axis)
    return jnn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along `axis` (an int or a tuple of axes)."""
    x = _t(x)
    if isinstance(axis, tuple):
        return _over_axes(jnn.log_softmax, x, axis)
    return jnn.log_softmax(x, axis=axis)


def sparsemax(x, axis=-1):
    """Sparsemax as Keras 3.15 computes it: max(x - tau, 0) along `axis`. Keras's threshold
    tau = (sum of the cumulative sums over the support - 1) / k differs from the paper's
    (cumsum_k - 1) / k when the support has k > 1 elements; jkeras keeps it for parity."""
    x = _t(x)
    z = -jnp.sort(-x, axis=axis)
    cumsum = jnp.cumsum(z, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = jnp.arange(1, x.shape[axis] + 1).reshape(shape)
    support = z - (cumsum - 1) / r > 0
    k = jnp.sum(support, axis=axis, keepdims=True)
    tau = (jnp.sum(jnp.where(support, cumsum, 0.0), axis=axis, keepdims=True) - 1) / k
    return jnp.maximum(x - tau, 0.0)


# ---- pooling and convolution -------------------------------------------------------------------
def _spatial(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def _window_dims(value, n, data_format):
    value = _spatial(value, n)
    return (1,) + value + (1,) if data_format == "channels_last" else (1, 1) + value


def _check_padding(padding):
    padding = padding.lower()
    if padding not in ("same", "valid"):
        raise ValueError(f"Invalid padding '{padding}', must be 'same' or 'valid'.")
    return padding


def _pool_args(inputs, pool_size, strides, padding, data_format):
    data_format = config.standardize_data_format(data_format)
    inputs = _t(inputs)
    n = inputs.ndim - 2
    window = _window_dims(pool_size, n, data_format)
    strides = window if strides is None else _window_dims(strides, n, data_format)
    return inputs, window, strides, _check_padding(padding)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over the spatial axes (`strides` defaults to `pool_size`)."""
    inputs, window, strides, padding = _pool_args(inputs, pool_size, strides, padding,
                                                  data_format)
    return lax.reduce_window(inputs, -jnp.inf, lax.max, window, strides, padding.upper())


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with 'same' padding, padded cells are not counted."""
    inputs, window, strides, padding = _pool_args(inputs, pool_size, strides, padding,
                                                  data_format)
    pooled = lax.reduce_window(inputs, 0.0, lax.add, window, strides, padding.upper())
    if padding == "valid":
        return pooled / math.prod(window)
    ones = jnp.ones([a if b != 1 else 1 for a, b in zip(inputs.shape, window)], inputs.dtype)
    counts = lax.reduce_window(ones, 0.0, lax.add, window, strides, padding.upper())
    return pooled / counts


def _adaptive(inputs, output_size, data_format, reduce_fn, name):
    data_format = config.standardize_data_format(data_format)
    x = _t(inputs)
    n = x.ndim - 2
    if n not in (1, 2, 3):
        raise ValueError(f"{name} supports only 1D/2D/3D inputs")
    sizes = _spatial(output_size, n)
    first = 2 if data_format == "channels_first" else 1
    for i, out in enumerate(sizes):
        axis = first + i
        length = x.shape[axis]
        pieces = []
        for j in range(out):
            start = (j * length) // out
            end = -((-(j + 1) * length) // out)
            pieces.append(reduce_fn(lax.slice_in_dim(x, start, end, axis=axis), axis=axis,
                                    keepdims=True))
        x = jnp.concatenate(pieces, axis=axis)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed `output_size` (windows as PyTorch's adaptive pooling)."""
    return _adaptive(inputs, output_size, data_format, jnp.mean, "adaptive_average_pool")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed `output_size`."""
    return _adaptive(inputs, output_size, data_format, jnp.max, "adaptive_max_pool")


def _dimension_numbers(n, data_format):
    nd = n + 2
    spatial = tuple(range(1, nd - 1)) if data_format == "channels_last" else tuple(range(2, nd))
    lhs = (0, nd - 1) + spatial if data_format == "channels_last" else (0, 1) + spatial
    rhs = (nd - 1, nd - 2) + tuple(range(n))
    return lax.ConvDimensionNumbers(lhs_spec=lhs, rhs_spec=rhs, out_spec=lhs)


def _channels(x, data_format):
    return x.shape[-1] if data_format == "channels_last" else x.shape[1]


def _check_channels(inputs, kernel_channels, data_format):
    channels = _channels(inputs, data_format)
    if channels != kernel_channels:
        raise ValueError("The number of input channels must match the kernel's input "
                         f"channels. Received: input channels={channels}, kernel "
                         f"input channels={kernel_channels}, data_format='{data_format}'.")


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (grouped when input channels are a multiple of the kernel's)."""
    data_format = config.standardize_data_format(data_format)
    padding = _check_padding(padding)
    kernel = _t(kernel)
    inputs = _t(inputs, dtype=kernel.dtype)
    n = inputs.ndim - 2
    channels, kernel_in = _channels(inputs, data_format), kernel.shape[-2]
    if channels % kernel_in > 0:
        raise ValueError("The number of input channels must be evenly divisible by "
                         f"kernel's in_channels. Received input channels {channels} and "
                         f"kernel in_channels {kernel_in}. ")
    out = lax.conv_general_dilated(
        inputs, kernel, _spatial(strides, n), padding.upper(),
        rhs_dilation=_spatial(dilation_rate, n),
        dimension_numbers=_dimension_numbers(n, data_format),
        feature_group_count=channels // kernel_in)
    if out.size == 0 and inputs.size != 0:
        raise ValueError("The convolution operation resulted in an empty output. This can "
                         "happen if the input is too small for the given kernel size, strides, "
                         "dilation rate, and padding mode. Please check the input shape and "
                         "convolution parameters.")
    return out


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: kernel `(*spatial, in_channels, depth_multiplier)`."""
    data_format = config.standardize_data_format(data_format)
    padding = _check_padding(padding)
    inputs, kernel = _t(inputs), _t(kernel)
    _check_channels(inputs, kernel.shape[-2], data_format)
    n = inputs.ndim - 2
    groups = _channels(inputs, data_format)
    kernel = jnp.reshape(kernel, kernel.shape[:-2] + (1, groups * kernel.shape[-1]))
    return lax.conv_general_dilated(
        inputs, kernel, _spatial(strides, n), padding.upper(),
        rhs_dilation=_spatial(dilation_rate, n),
        dimension_numbers=_dimension_numbers(n, data_format), feature_group_count=groups)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 pointwise convolution."""
    data_format = config.standardize_data_format(data_format)
    inputs = _t(inputs)
    _check_channels(inputs, _t(depthwise_kernel).shape[-2], data_format)
    out = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(out, pointwise_kernel, strides=1, padding="valid", data_format=data_format,
                dilation_rate=dilation_rate)


def _transpose_padding(kernel_size, stride, dilation, padding, output_padding):
    kernel_size = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = max(kernel_size, stride) - kernel_size
        return kernel_size - 1, kernel_size - 1 + output_padding
    if output_padding is None:
        pad_len = stride + kernel_size - 2
    else:
        pad_len = kernel_size + kernel_size % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, kernel_size - 1)
    return left, pad_len - left


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution: kernel `(*spatial, out_channels, in_channels)`."""
    data_format = config.standardize_data_format(data_format)
    if padding.lower() not in {"valid", "same"}:
        raise ValueError("The `padding` argument must be one of 'valid', 'same'. "
                         f"Received: padding={padding}")
    padding = padding.lower()
    inputs, kernel = _t(inputs), _t(kernel)
    _check_channels(inputs, kernel.shape[-1], data_format)
    n = inputs.ndim - 2
    strides_n, dilation_n = _spatial(strides, n), _spatial(dilation_rate, n)
    out_pad = (None,) * n if output_padding is None else _spatial(output_padding, n)
    pads = [_transpose_padding(kernel.shape[i], strides_n[i], dilation_n[i], padding, out_pad[i])
            for i in range(n)]
    return lax.conv_transpose(inputs, kernel, strides_n, padding=pads, rhs_dilation=dilation_n,
                              dimension_numbers=_dimension_numbers(n, data_format),
                              transpose_kernel=True)


# ---- encodings, losses, normalization ----------------------------------------------------------
def _dense_only(sparse):
    if sparse:
        raise ValueError("`sparse=True` is not supported by jkeras: tensors are dense.")


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer `x` on a new `axis` (out-of-range indices give zeros)."""
    _dense_only(sparse)
    dtype = config.standardize_dtype(dtype)
    return jnn.one_hot(_t(x), num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: 1 for each class present in a row of `inputs`."""
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    _dense_only(sparse)
    dtype = config.standardize_dtype(dtype)
    x = _t(inputs)
    reduction_axis = 1 if x.ndim > 1 else 0
    return jnp.max(jnn.one_hot(x.astype("int32"), num_classes, axis=axis, dtype=dtype),
                   axis=reduction_axis)


def _clipped_log(output, axis=None):
    eps = config.epsilon()
    if axis is not None:
        output = output / jnp.sum(output, axis, keepdims=True)
    return jnp.log(jnp.clip(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot `target` and probabilities (or logits) `output`."""
    target, output = jnp.asarray(_t(target)), jnp.asarray(_t(output))
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if target.ndim < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    log_prob = jnn.log_softmax(output, axis=axis) if from_logits else _clipped_log(output, axis)
    return -jnp.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer `target` and probabilities (or logits) `output`."""
    target, output = _t(target, dtype="int32"), _t(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    if output.ndim < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: "
                         f"output.shape={output.shape}")
    if target.shape != output.shape[:-1]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until "
                         f"the last dimension: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    log_prob = jnn.log_softmax(output, axis=axis) if from_logits else _clipped_log(output, axis)
    target = jnn.one_hot(target, output.shape[axis], axis=axis)
    return -jnp.sum(target * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy."""
    target, output = _t(target), _t(output)
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if from_logits:
        return -1.0 * target * jnn.log_sigmoid(output) - (1.0 - target) * jnn.log_sigmoid(-output)
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def moments(x, axes, keepdims=False, synchronized=False):
    """`(mean, variance)` over `axes` (half precision computed in float32)."""
    if synchronized:
        raise NotImplementedError("Argument synchronized=True is not supported with JAX.")
    x = _t(x)
    dtype = config.standardize_dtype(x.dtype)
    half = dtype in ("float16", "bfloat16")
    if half:
        x = x.astype("float32")
    mean = jnp.mean(x, axes, keepdims=True)
    variance = jnp.var(x, axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)
    if half:
        lim = jnp.finfo(jnp.float16)
        mean = jnp.clip(mean, lim.min, lim.max).astype(dtype)
        variance = jnp.clip(variance, lim.min, lim.max).astype(dtype)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset` with 1-D stats on `axis`."""
    x, mean, variance = _t(x), _t(mean), _t(variance)
    shape = [1] * x.ndim
    shape[axis] = mean.shape[0]
    inv = lax.rsqrt(jnp.reshape(variance, shape) + epsilon)
    if scale is not None:
        inv = inv * jnp.reshape(_t(scale), shape)
    res = -jnp.reshape(mean, shape) * inv
    if offset is not None:
        res = res + jnp.reshape(_t(offset), shape)
    return jnp.add(x * inv, res)


def _as_list_axis(axis):
    return sorted([axis] if isinstance(axis, int) else axis)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize over `axis` to zero mean and unit variance, then scale and shift."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    if rms_scaling:
        warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                      "incorrectly scales the input by the variance, not the root mean square. "
                      "To correctly use RMS Normalization, please use "
                      "`keras.ops.rms_normalization` / `keras.ops.nn.rms_normalization` instead.")
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = config.standardize_dtype(x.dtype)
    x = x.astype(config.result_type(x.dtype, "float32"))
    gamma = None if gamma is None else _t(gamma, x.dtype)
    beta = None if beta is None else _t(beta, x.dtype)
    ndim = x.ndim
    axis = _as_list_axis(axis)
    bshape = [1] * ndim
    for d in axis:
        bshape[d] = x.shape[d]

    def broadcast(v):
        if v is not None and v.ndim != ndim and axis != [ndim - 1]:
            return jnp.reshape(v, bshape)
        return v

    if rms_scaling:
        inv = lax.rsqrt(jnp.var(x, axis=axis, keepdims=True) + epsilon)
        out = x * inv
        if gamma is not None:
            out = out * broadcast(gamma)
    else:
        mean, variance = moments(x, axes=axis, keepdims=True)
        gamma, beta = broadcast(gamma), broadcast(beta)
        inv = lax.rsqrt(variance + epsilon)
        if gamma is not None:
            inv = inv * gamma
        res = -mean * inv
        if beta is not None:
            res = res + beta
        out = x * inv + res
    return cast(out, original)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """`x / sqrt(mean(x**2, axis) + epsilon) * scale`."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = config.standardize_dtype(x.dtype)
    x = x.astype(config.result_type(x.dtype, "float32"))
    if isinstance(axis, (tuple, list)):
        axis = tuple(sorted(axis))
    if x.ndim == 0:
        x = x[None]
    out = x * lax.rsqrt(jnp.mean(jnp.square(x), axis=axis, keepdims=True) + epsilon)
    if scale is not None:
        out = out * _t(scale, x.dtype)
    return cast(out, original)


def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`)."""
    if not isinstance(order, int) or not order >= 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = _t(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inv, 1.0 / epsilon)
    norm = linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return jnp.divide(x, jnp.maximum(norm, epsilon))


def polar(abs_, angle):
    """The complex tensor `abs_ * (cos(angle) + i sin(angle))`."""
    abs_, angle = _t(abs_), _t(angle)
    return lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio of two images (in dB)."""
    x1, x2 = _t(x1), _t(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Input shapes {x1.shape} and {x2.shape} must "
                         "match for PSNR calculation. ")
    max_val = _t(max_val, dtype=x2.dtype)
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(max_val) - 10 * jnp.log10(mse)


# ---- sequences ----------------------------------------------------------------------------------
def _paddings(lengths, max_length, dtype):
    return (jnp.arange(max_length)[None, :] >= lengths[:, None]).astype(dtype)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sequence CTC loss of `output` logits `(batch, time, classes)` (optax.ctc_loss)."""
    target = _t(target, dtype="int32")
    output = _t(output)
    output = output.astype(config.result_type(output.dtype, "float32"))
    target_length = _t(target_length, dtype="int32")
    output_length = _t(output_length, dtype="int32")
    return optax.ctc_loss(output, _paddings(output_length, output.shape[1], output.dtype),
                          target, _paddings(target_length, target.shape[1], output.dtype),
                          blank_id=mask_index, log_epsilon=-1e5)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy CTC decoding: `(decoded (1, batch, time) padded with -1, -sum of max logits)`.

    Only `strategy="greedy"` is available in jkeras (beam search raises).
    """
    if strategy == "beam_search":
        raise ValueError("ctc_decode: strategy='beam_search' is not available in jkeras; use "
                         "strategy='greedy'.")
    if strategy != "greedy":
        raise ValueError(f"Invalid strategy {strategy}. Supported values are "
                         "'greedy' and 'beam_search'.")
    inputs = _t(inputs)
    inputs = inputs.astype(config.result_type(inputs.dtype, "float32"))
    lengths = _t(sequence_lengths, dtype="int32")
    batch, max_length, num_classes = inputs.shape
    if mask_index is None:
        mask_index = num_classes - 1
    indices = jnp.argmax(inputs, axis=-1)
    scores = jnp.max(inputs, axis=-1)
    beyond = jnp.arange(max_length)[None, :] >= lengths[:, None]
    indices = jnp.where(beyond, mask_index, indices)
    scores = jnp.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = jnp.pad(indices[:, 1:] == indices[:, :-1], ((0, 0), (1, 0)))
        indices = jnp.where(repeat, mask_index, indices)
    invalid = indices == mask_index
    indices = jnp.where(invalid, -1, indices)
    order = jnp.where(invalid, max_length, jnp.arange(max_length)[None, :])
    indices = jnp.take_along_axis(indices, jnp.argsort(order, axis=-1), axis=-1)
    return indices[None], -jnp.sum(scores, axis=1)[:, None]


# ---- attention ----------------------------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention on `(batch, time, heads, depth)` tensors (grouped-query
    when `key`/`value` have fewer heads). `mask` and `bias` broadcast to
    `(batch, heads, target_time, source_time)`."""
    if attn_logits_soft_cap is not None:
        raise ValueError("attn_logits_soft_cap is only supported for JAX on TPU. "
                         "Set attn_logits_soft_cap=None when not using JAX on TPU.")
    query, key, value = _t(query), _t(key), _t(value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. "
                         f"Received: query.shape={query.shape}, key.shape={key.shape}, "
                         f"value.shape={value.shape}.")
    if flash_attention is None:
        flash_attention = config.is_flash_attention_enabled()
    dtype = config.result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    if bias is not None:
        bias = _t(bias, dtype=dtype)
    if mask is not None:
        mask = _t(mask)
    impl = "cudnn" if flash_attention else "xla"
    if flash_attention and jax.devices()[0].platform != "gpu":
        raise ValueError("Flash attention is not supported on this platform: jkeras uses the "
                         "cuDNN kernel of jax.nn.dot_product_attention (GPU). Pass "
                         "flash_attention=None or False.")
    return jnn.dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale,
                                     is_causal=is_causal, implementation=impl)


# ---- patches and pixel shuffles ------------------------------------------------------------------
def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of the NCHW `x` as `(N, C * kh * kw, L)` (PyTorch's Unfold)."""
    x = _t(x)
    if x.ndim != 4:
        raise ValueError(f"Input must be a 4D tensor. Received: input.shape={x.shape}")
    p = _pair(padding)
    if any(v > 0 for v in p):
        x = jnp.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    patches = lax.conv_general_dilated_patches(
        x, filter_shape=_pair(kernel_size), window_strides=_pair(stride), padding="VALID",
        rhs_dilation=_pair(dilation), dimension_numbers=("NCHW", "OIHW", "NCHW"))
    n, ckk, oh, ow = patches.shape
    return patches.reshape(n, ckk, oh * ow)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks `(N, C * kh * kw, L)` back into an NCHW image (PyTorch's Fold)."""
    x = _t(x)
    if x.ndim != 3:
        raise ValueError(f"Input must be a 3D tensor. Received: input.shape={x.shape}")
    (oh, ow), (kh, kw) = _pair(output_size), _pair(kernel_size)
    (dh, dw), (ph, pw), (sh, sw) = _pair(dilation), _pair(padding), _pair(stride)
    n, ckk, _ = x.shape
    c = ckk // (kh * kw)
    nh = (oh + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    nw = (ow + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    x = jnp.reshape(x, (n, c, kh, kw, nh, nw))
    out = jnp.zeros((n, c, oh + 2 * ph, ow + 2 * pw), x.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (nh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (nw - 1) + 1, sw)
            out = out.at[:, :, rows, cols].add(x[:, :, i, j])
    return out[:, :, ph:ph + oh, pw:pw + ow]


def _pixel_shuffle(x, block_size, data_format, channels_last, channels_first):
    data_format = config.standardize_data_format(data_format)
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")
    pattern = channels_last if data_format == "channels_last" else channels_first
    return rearrange(x, pattern, b1=block_size, b2=block_size)


def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channel blocks into `block_size` x `block_size` spatial blocks (pixel shuffle)."""
    return _pixel_shuffle(x, block_size, data_format, "n h w (b1 b2 c) -> n (h b1) (w b2) c",
                          "n (c b1 b2) h w -> n c (h b1) (w b2)")


def space_to_depth(x, block_size, data_format="channels_last"):
    """Move `block_size` x `block_size` spatial blocks into channels (pixel unshuffle)."""
    return _pixel_shuffle(x, block_size, data_format, "n (h b1) (w b2) c -> n h w (b1 b2 c)",
                          "n c (h b1) (w b2) -> n (c b1 b2) h w")

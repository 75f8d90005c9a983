"""Keras 3's quantizer maths (`keras.quantizers`): abs-max quantization and int4 packing.

`abs_max_quantize(x, axis)` gives `round(x * scale)` clipped to `value_range` and `scale =
value_range[1] / (max|x| over axis + epsilon)`, the scale kept in `x`'s dtype with the reduced
axes of size 1. `to_numpy=True` computes on the host in NumPy (as Keras does when it quantizes
a layer's weights once); otherwise on the device in jax.numpy, so it runs under `jit`.
"""
import jax.numpy as jnp
import numpy as np

from jkeras.core import config


def _standard_dtype(dtype):
    return config.standardize_dtype(dtype)


class Quantizer:
    """The base of quantizers: `__call__(x)` returns the quantized `x` (the base: `x` itself)."""

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        return x

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


def _numpy_axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype="int8", epsilon=None,
                     to_numpy=False):
    """`(quantized, scale)` by the absolute-maximum scheme along `axis` (Keras's maths)."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    if to_numpy:
        original_dtype = _standard_dtype(inputs.dtype)
        values = np.asarray(inputs)
        axis = _numpy_axis(axis)
        scale = np.divide(value_range[1],
                          np.add(np.max(np.abs(values), axis=axis, keepdims=True), epsilon))
        outputs = np.clip(np.round(np.multiply(values, scale)), value_range[0], value_range[1])
        return (jnp.asarray(outputs.astype(dtype)),
                jnp.asarray(scale, dtype=original_dtype))
    inputs = jnp.asarray(inputs)
    axis = _numpy_axis(axis)
    scale = jnp.divide(value_range[1],
                       jnp.add(jnp.max(jnp.abs(inputs), axis=axis, keepdims=True), epsilon))
    scale = scale.astype(inputs.dtype)
    outputs = jnp.clip(jnp.round(jnp.multiply(inputs, scale)), value_range[0], value_range[1])
    return outputs.astype(dtype), scale


class AbsMaxQuantizer(Quantizer):
    """Abs-max quantization (`abs_max_quantize`) along `axis` (given here or in the call;
    -1 when neither), into `value_range` as `output_dtype`."""

    def __init__(self, axis=None, value_range=(-127, 127), epsilon=None, output_dtype="int8"):
        Quantizer.__init__(self, output_dtype=output_dtype)
        if axis is not None:
            self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        else:
            self.axis = None
        self.value_range = tuple(value_range)
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError("Quantizer with output_dtype='int8' requires value_range to be "
                             "within the interval [-128, 127]. Received: "
                             f"value_range={value_range}")

    def __call__(self, x, axis=None, to_numpy=False):
        if axis is None:
            axis = self.axis
        if axis is None:
            axis = -1
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype, self.epsilon,
                                to_numpy)

    def get_config(self):
        config_ = {"value_range": self.value_range, "epsilon": self.epsilon,
                   "output_dtype": self.output_dtype}
        if self.axis is not None:
            config_["axis"] = self.axis
        return config_


# ---- int4 packing -------------------------------------------------------------------------------
def _check_pack_dtype(dtype):
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")


def pack_int4(arr, axis=0, dtype="int8"):
    """Two int4 values (in [-8, 7]) per byte along `axis`: the first of each pair in the low
    nibble, the second in the high one (an odd length is padded with 0). Returns
    `(packed, packed_shape, orig_len)`. Computed in NumPy, as Keras."""
    _check_pack_dtype(dtype)
    if _standard_dtype(arr.dtype) != dtype:
        raise TypeError(f"Expected {dtype} tensor for packing, got "
                        f"{_standard_dtype(arr.dtype)}.")
    values = np.asarray(arr)
    np_dtype = np.dtype(dtype)
    axis = axis + values.ndim if axis < 0 else axis
    values = np.moveaxis(values, axis, 0)
    n = values.shape[0]
    if n % 2 == 1:
        values = np.concatenate([values, np.zeros((1,) + values.shape[1:], values.dtype)], 0)
    mask = np.array(0x0F, dtype=np_dtype)
    low = np.bitwise_and(values[::2].astype(np_dtype), mask)
    high = np.bitwise_and(values[1::2].astype(np_dtype), mask)
    packed = np.bitwise_or(low, np.left_shift(high, np.array(4, dtype=np_dtype))).astype(np_dtype)
    packed = np.moveaxis(packed, 0, axis)
    return jnp.asarray(packed), tuple(packed.shape), n


def unpack_int4(packed, orig_len, axis=0, dtype="int8"):
    """The inverse of `pack_int4`: int4 values back as `dtype`, the padding dropped. Runs in
    jax.numpy (under `jit` too)."""
    _check_pack_dtype(dtype)
    packed = jnp.asarray(packed)
    if _standard_dtype(packed.dtype) not in ("int8", "uint8"):
        raise TypeError(f"Expected int8 or uint8 tensor for unpacking, got {packed.dtype}")
    axis = axis + packed.ndim if axis < 0 else axis
    moved = jnp.moveaxis(packed, axis, 0)
    mask = jnp.asarray(0x0F, dtype=packed.dtype)
    low = jnp.bitwise_and(moved, mask)
    high = jnp.bitwise_and(jnp.right_shift(moved, 4), mask)
    if dtype == "int8":
        eight = jnp.asarray(8, dtype=packed.dtype)
        low = jnp.bitwise_xor(low, eight) - eight
        high = jnp.bitwise_xor(high, eight) - eight
    stacked = jnp.stack([low.astype(dtype), high.astype(dtype)], axis=1)
    unpacked = stacked.reshape((-1,) + moved.shape[1:])[:orig_len]
    return jnp.moveaxis(unpacked, 0, axis)


def abs_max_quantize_grouped_with_zero_point(inputs, block_size, value_range=(-8, 7),
                                             dtype="int8", epsilon=None, to_numpy=False):
    """Asymmetric quantization of a 2D `(input_dim, output_dim)` tensor in groups of
    `block_size` rows: `(quantized, scale, zero_point)`, scale and zero point of shape
    `(ceil(input_dim / block_size), output_dim)` (Keras's NumPy maths; `to_numpy=False` runs the
    same maths in jax.numpy)."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    xp = np if to_numpy else jnp
    original_dtype = _standard_dtype(inputs.dtype)
    values = np.asarray(inputs) if to_numpy else jnp.asarray(inputs)
    input_dim, output_dim = values.shape
    n_groups = -(-input_dim // block_size)
    qmin, qmax = value_range
    padded_dim = n_groups * block_size
    if padded_dim > input_dim:
        values = xp.concatenate(
            [values, xp.zeros((padded_dim - input_dim, output_dim), dtype=values.dtype)], 0)
    grouped = values.reshape(n_groups, block_size, output_dim)
    min_val = xp.min(grouped, axis=1, keepdims=True)
    max_val = xp.max(grouped, axis=1, keepdims=True)
    scale = xp.divide(xp.subtract(max_val, min_val) + epsilon, qmax - qmin)
    zero_point = xp.clip(xp.round(xp.divide(-min_val, scale)) + qmin, qmin, qmax)
    outputs = xp.clip(xp.round(xp.divide(grouped, scale)) + zero_point, qmin, qmax)
    outputs = outputs.astype(dtype).reshape(padded_dim, output_dim)[:input_dim, :]
    scale = xp.squeeze(scale, axis=1)
    zero_point = xp.squeeze(zero_point, axis=1).astype("int8")
    return jnp.asarray(outputs), jnp.asarray(scale, dtype=original_dtype), jnp.asarray(zero_point)


def dequantize_with_sz_map(weights_matrix, scale, zero, g_idx, group_axis=-1):
    """`(weights - zero[g]) * scale[g]`, each position's group `g` from `g_idx` (Keras's)."""
    groups = jnp.asarray(g_idx).astype("int32")
    scales = jnp.take(scale, groups, axis=group_axis)
    zeros = jnp.take(zero, groups, axis=group_axis).astype(scales.dtype)
    return jnp.multiply(jnp.subtract(weights_matrix, zeros), scales)

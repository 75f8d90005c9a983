"""int8 and int4 quantization of Dense, EinsumDense and Embedding: their quantized weights, the
values `quantize` gives them and the quantized forward pass (Keras's maths)."""
import math

import jax.numpy as jnp
import numpy as np

from jkeras.layers import einsum_quant_info
from jkeras.layers.quantization import QuantizableMixin, int8_contract, straight_through
from jkeras.quantizers import (AbsMaxQuantizer, QuantizationConfig, abs_max_quantize,
                               abs_max_quantize_grouped_with_zero_point, dequantize_with_sz_map,
                               pack_int4, unpack_int4)

_INT4_PER_CHANNEL = dict(value_range=(-8, 7), output_dtype="int8")


def _weight_quantizer(layer, default):
    return QuantizationConfig.weight_quantizer_or_default(layer.quantization_config, default)


def _group_index(block_size):
    def initializer(shape, dtype=None):
        return jnp.floor_divide(jnp.arange(shape[0], dtype="float32"), block_size)
    return initializer


def _build_int4_matrix(layer, rows, columns):
    """int4 weights of a (rows, columns) kernel matrix: `kernel` (int8, (rows, ceil(columns /
    2)), two values a byte) and `kernel_scale` ((columns,)); in groups of `block_size` rows
    also `kernel_zero` and the group of each row `g_idx`, scale and zero (groups, columns)."""
    block_size = layer._int4_block_size()
    layer.kernel = layer._add_quantized_weight("kernel", (rows, (columns + 1) // 2), "int8",
                                               "zeros")
    shape = (columns,) if block_size is None else (math.ceil(rows / block_size), columns)
    layer.kernel_scale = layer._add_quantized_weight("kernel_scale", shape, None, "ones")
    if block_size is not None:
        layer.kernel_zero = layer._add_quantized_weight("kernel_zero", shape, "int8", "zeros")
        layer.g_idx = layer._add_quantized_weight("g_idx", (rows,), "float32",
                                                  _group_index(block_size))


def _int4_values(layer, float_value, axis):
    """(int4 values, scale, zero point or None) of a 2D weight quantized along `axis` (the axis
    each output keeps one scale per, or whose groups of `block_size` get scales and zeros)."""
    block_size = layer._int4_block_size()
    if block_size is None:
        quantizer = _weight_quantizer(layer, AbsMaxQuantizer(axis=axis, **_INT4_PER_CHANNEL))
        value, scale = quantizer(float_value, to_numpy=True)
        return value, jnp.squeeze(scale, axis=axis), None
    if axis == 0:
        return abs_max_quantize_grouped_with_zero_point(float_value, block_size, to_numpy=True)
    value, scale, zero = abs_max_quantize_grouped_with_zero_point(
        jnp.transpose(float_value), block_size, to_numpy=True)
    return jnp.transpose(value), jnp.transpose(scale), jnp.transpose(zero)


class DenseQuantization(QuantizableMixin):
    """int8: `kernel` (int8, (input_dim, units)) and `kernel_scale` ((units,)); the inputs are
    quantized per row, the product taken in integers and divided by both scales."""
    _quantization_hooks = True
    _float_weight_name = "kernel"
    _variable_serialization_spec = {
        None: ["kernel", "bias"], "int8": ["kernel", "bias", "kernel_scale"],
        "int4": ["kernel", "bias", "kernel_scale", "kernel_zero", "g_idx"]}

    def _int8_build(self, kernel_shape):
        self.kernel = self._add_quantized_weight("kernel", kernel_shape, "int8", "zeros")
        self.kernel_scale = self._add_quantized_weight("kernel_scale", (self.units,), None,
                                                       "ones")

    def _int8_values(self, kernel):
        value, scale = _weight_quantizer(self, AbsMaxQuantizer(axis=0))(kernel, to_numpy=True)
        return {"kernel": value, "kernel_scale": jnp.squeeze(scale, axis=0)}

    def _int8_call(self, inputs):
        quantizer = self._inputs_quantizer()
        quantize_inputs = None if quantizer is None else (lambda x: quantizer(x, axis=-1))
        return int8_contract(
            lambda a, b, t: jnp.matmul(a, b, preferred_element_type=t),
            lambda g, k: jnp.matmul(g, jnp.swapaxes(k, -1, -2)),
            inputs, self.kernel, self.kernel_scale, lambda s: s, quantize_inputs,
            self.compute_dtype)

    def _int4_build(self, kernel_shape):
        """int4: the (input_dim, units) kernel as `_build_int4_matrix` lays it out."""
        _build_int4_matrix(self, *kernel_shape)

    def _int4_values(self, kernel):
        value, scale, zero = _int4_values(self, kernel, axis=0)
        values = {"kernel": pack_int4(value, axis=-1)[0], "kernel_scale": scale}
        return values if zero is None else {**values, "kernel_zero": zero}

    def _int4_call(self, inputs):
        unpacked = unpack_int4(self.kernel, self.units, axis=-1)
        if self._int4_block_size() is None:
            quantizer = self._inputs_quantizer()
            quantize_inputs = None if quantizer is None else (lambda x: quantizer(x, axis=-1))
            return int8_contract(
                lambda a, b, t: jnp.matmul(a, b, preferred_element_type=t),
                lambda g, k: jnp.matmul(g, jnp.swapaxes(k, -1, -2)),
                inputs, unpacked, self.kernel_scale, lambda s: s, quantize_inputs,
                self.compute_dtype)
        kernel = dequantize_with_sz_map(unpacked, self.kernel_scale, self.kernel_zero,
                                        self.g_idx, group_axis=0)
        return jnp.matmul(inputs, kernel.astype(self.compute_dtype))


def _layout_for_quant(scale, transpose, expand, squeeze):
    if transpose:
        scale = jnp.transpose(scale, transpose)
    if expand:
        scale = jnp.expand_dims(scale, tuple(expand))
    if squeeze:
        scale = jnp.squeeze(scale, tuple(squeeze))
    return scale


def _layout_for_dequant(scale, info):
    if info.kernel_squeeze_axes:
        scale = jnp.expand_dims(scale, tuple(info.kernel_squeeze_axes))
    if info.kernel_expand_axes:
        scale = jnp.squeeze(scale, tuple(info.kernel_expand_axes))
    if info.kernel_transpose_axes:
        scale = jnp.transpose(scale, info.kernel_reverse_transpose_axes)
    return scale


class EinsumDenseInt4:
    """EinsumDense's int4: the kernel as a 2D (rows = the reduced axes, columns = the rest)
    matrix in memory order (Keras's reshape), packed to (rows, ceil(columns / 2)); scales
    (columns,), or (groups, columns) with `kernel_zero` and `g_idx` (rows,) in groups of
    `block_size` rows. The forward pass dequantizes the kernel to its einsum shape."""

    def _int4_matrix_shape(self, kernel_shape):
        reduced = self._quantization_info().kernel_reduced_axes
        rows = math.prod(d for i, d in enumerate(kernel_shape) if i in reduced)
        return rows, math.prod(d for i, d in enumerate(kernel_shape) if i not in reduced)

    def _int4_build(self, kernel_shape):
        self.__dict__["_int4_kernel_shape"] = tuple(kernel_shape)
        _build_int4_matrix(self, *self._int4_matrix_shape(kernel_shape))

    def _int4_values(self, kernel):
        matrix = np.reshape(np.asarray(kernel), self._int4_matrix_shape(kernel.shape))
        block_size = self._int4_block_size()
        if block_size is None:
            value, scale = abs_max_quantize(matrix, 0, value_range=(-8, 7), to_numpy=True)
            values = {"kernel_scale": jnp.squeeze(scale, axis=0)}
        else:
            value, scale, zero = abs_max_quantize_grouped_with_zero_point(matrix, block_size,
                                                                          to_numpy=True)
            values = {"kernel_scale": scale, "kernel_zero": zero}
        return {"kernel": pack_int4(value, axis=-1)[0], **values}

    def _int4_call(self, inputs):
        info = self._quantization_info()
        shape = self.__dict__["_int4_kernel_shape"]
        unpacked = unpack_int4(self.kernel, self._int4_matrix_shape(shape)[1], axis=-1)
        if self._int4_block_size() is None:
            kernel = jnp.divide(unpacked.astype(self.compute_dtype), self.kernel_scale)
        else:
            kernel = dequantize_with_sz_map(unpacked, self.kernel_scale, self.kernel_zero,
                                            self.g_idx, group_axis=0).astype(self.compute_dtype)
        quantizer = self._inputs_quantizer() if self._int4_block_size() is None else None

        def forward(x, k):
            if quantizer is None:
                return jnp.einsum(self.equation, x, k)
            qx, scale = quantizer(x, axis=tuple(info.input_reduced_axes))
            scale = _layout_for_quant(scale, info.input_transpose_axes, info.input_expand_axes,
                                      info.input_squeeze_axes)
            return jnp.divide(jnp.einsum(self.equation, qx, k).astype(self.compute_dtype), scale)

        return straight_through(forward,
                                lambda g, k: jnp.einsum(info.custom_gradient_equation, g, k),
                                inputs, kernel.reshape(shape))


class EinsumDenseQuantization(EinsumDenseInt4, QuantizableMixin):
    """int8: `kernel` (int8) and `kernel_scale` (one per kernel position the einsum keeps,
    laid out to broadcast against the output); inputs quantized along the reduced axes. int4:
    `EinsumDenseInt4`."""
    _quantization_hooks = True
    _float_weight_name = "kernel"
    _variable_serialization_spec = DenseQuantization._variable_serialization_spec

    def _quantization_info(self):
        return einsum_quant_info.analyze(self.equation, self.input_spec.ndim)

    def _kernel_scale_for_quant(self, scale, info):
        return _layout_for_quant(scale, info.kernel_transpose_axes, info.kernel_expand_axes,
                                 info.kernel_squeeze_axes)

    def _int8_build(self, kernel_shape):
        info = self._quantization_info()
        shape = np.array(kernel_shape)
        shape[info.kernel_reduced_axes] = 1
        scale_shape = self._kernel_scale_for_quant(jnp.zeros(tuple(shape)), info).shape
        self.kernel = self._add_quantized_weight("kernel", tuple(kernel_shape), "int8", "zeros")
        self.kernel_scale = self._add_quantized_weight("kernel_scale", scale_shape, None, "ones")

    def _int8_values(self, kernel):
        info = self._quantization_info()
        quantizer = _weight_quantizer(self, AbsMaxQuantizer(axis=info.kernel_reduced_axes))
        value, scale = quantizer(kernel, to_numpy=True)
        return {"kernel": value, "kernel_scale": self._kernel_scale_for_quant(scale, info)}

    def _int8_call(self, inputs):
        info = self._quantization_info()
        quantizer = self._inputs_quantizer()

        def quantize_inputs(x):
            value, scale = quantizer(x, axis=tuple(info.input_reduced_axes))
            return value, _layout_for_quant(scale, info.input_transpose_axes,
                                            info.input_expand_axes, info.input_squeeze_axes)

        return int8_contract(
            lambda a, b, t: jnp.einsum(self.equation, a, b, preferred_element_type=t),
            lambda g, k: jnp.einsum(info.custom_gradient_equation, g, k),
            inputs, self.kernel, self.kernel_scale, lambda s: _layout_for_dequant(s, info),
            None if quantizer is None else quantize_inputs, self.compute_dtype)


class EmbeddingQuantization(QuantizableMixin):
    """int8: `embeddings` (int8) and `embeddings_scale` ((input_dim,), one per row); a lookup
    divides the int8 row by its scale."""
    _quantization_hooks = True
    _float_weight_name = "embeddings"
    _variable_serialization_spec = {
        None: ["embeddings"], "int8": ["embeddings", "embeddings_scale"],
        "int4": ["embeddings", "embeddings_scale", "embeddings_zero", "g_idx"]}

    def _int8_build(self, embeddings_shape):
        self.embeddings = self._add_quantized_weight("embeddings", embeddings_shape, "int8",
                                                     "zeros")
        self.embeddings_scale = self._add_quantized_weight("embeddings_scale",
                                                           (self.input_dim,), None, "ones")

    def _int8_values(self, embeddings):
        value, scale = _weight_quantizer(self, AbsMaxQuantizer(axis=-1))(embeddings,
                                                                          to_numpy=True)
        return {"embeddings": value, "embeddings_scale": jnp.squeeze(scale, axis=-1)}

    def _int8_call(self, indices):
        scale = jnp.take(self.embeddings_scale, indices, axis=0)
        rows = jnp.take(self.embeddings, indices, axis=0)
        return jnp.divide(rows.astype(self.compute_dtype), jnp.expand_dims(scale, -1))

    def _int4_build(self, embeddings_shape):
        """int4: `embeddings` (int8, (input_dim, ceil(output_dim / 2))) and `embeddings_scale`
        ((input_dim,)); in groups of `block_size` output columns also `embeddings_zero`, scale
        and zero of shape (input_dim, groups), and the group of each column `g_idx`."""
        input_dim, output_dim = embeddings_shape
        block_size = self._int4_block_size()
        self.embeddings = self._add_quantized_weight(
            "embeddings", (input_dim, (output_dim + 1) // 2), "int8", "zeros")
        shape = (input_dim,) if block_size is None else (input_dim,
                                                         math.ceil(output_dim / block_size))
        self.embeddings_scale = self._add_quantized_weight("embeddings_scale", shape, None,
                                                           "ones")
        if block_size is not None:
            self.embeddings_zero = self._add_quantized_weight("embeddings_zero", shape, "int8",
                                                              "zeros")
            self.g_idx = self._add_quantized_weight("g_idx", (output_dim,), "float32",
                                                    _group_index(block_size))

    def _int4_values(self, embeddings):
        value, scale, zero = _int4_values(self, embeddings, axis=-1)
        values = {"embeddings": pack_int4(value, axis=-1)[0], "embeddings_scale": scale}
        return values if zero is None else {**values, "embeddings_zero": zero}

    def _int4_call(self, indices):
        unpacked = unpack_int4(self.embeddings, self.output_dim, axis=-1)
        rows = jnp.take(unpacked, indices, axis=0).astype(self.compute_dtype)
        scale = jnp.take(self.embeddings_scale, indices, axis=0)
        if self._int4_block_size() is None:
            return jnp.divide(rows, jnp.expand_dims(scale, -1))
        zero = jnp.take(self.embeddings_zero, indices, axis=0)
        return dequantize_with_sz_map(rows, scale, zero, self.g_idx, group_axis=-1)

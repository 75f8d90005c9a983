"""int8 quantization of Dense, EinsumDense and Embedding: their quantized weights, the values
`quantize` gives them and the quantized forward pass (Keras's maths)."""
import jax.numpy as jnp
import numpy as np

from jkeras.layers import einsum_quant_info
from jkeras.layers.quantization import QuantizableMixin, int8_contract
from jkeras.quantizers import AbsMaxQuantizer, QuantizationConfig


def _weight_quantizer(layer, default):
    return QuantizationConfig.weight_quantizer_or_default(layer.quantization_config, default)


class DenseQuantization(QuantizableMixin):
    """int8: `kernel` (int8, (input_dim, units)) and `kernel_scale` ((units,)); the inputs are
    quantized per row, the product taken in integers and divided by both scales."""
    _quantization_hooks = True
    _float_weight_name = "kernel"
    _variable_serialization_spec = {None: ["kernel", "bias"],
                                    "int8": ["kernel", "bias", "kernel_scale"]}

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


class EinsumDenseQuantization(QuantizableMixin):
    """int8: `kernel` (int8) and `kernel_scale` (one per kernel position the einsum keeps,
    laid out to broadcast against the output); inputs quantized along the reduced axes."""
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
    _variable_serialization_spec = {None: ["embeddings"],
                                    "int8": ["embeddings", "embeddings_scale"]}

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

"""EinsumDense: `activation(einsum(equation, inputs, kernel) + bias)`, Keras 3's weight shapes
from the equation, the (partial) output shape and `bias_axes`."""
import jax.numpy as jnp

from jkeras import activations, initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.initializers.random_initializers import VarianceScaling
from jkeras.layers import config_utils
from jkeras.layers.einsum_equation import _split
from jkeras.layers.quantized_layers import EinsumDenseQuantization
from jkeras.core.serialization import serialize_keras_object


def analyze(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape, input axes, output axes) of the
    kernel, as Keras's `_analyze_einsum_string`."""
    input_spec, weight_spec, output_spec, left_elided = _split(equation)
    elided = len(input_shape) - len(input_spec)
    output_shape = [input_shape[0]] + list(output_shape)
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_map = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
        output_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_map = {d: i for i, d in enumerate(input_spec)}
        output_map = {d: i for i, d in enumerate(output_spec)}
    for d in input_spec:
        if d in output_map:
            out = output_shape[output_map[d]]
            if out is not None and out != input_shape[input_map[d]]:
                raise ValueError(f"Input shape and output shape do not match at shared dimension "
                                 f"'{d}'. Input shape is {input_shape[input_map[d]]}, and output "
                                 f"shape is {out}.")
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{output_spec}' but "
                             f"has no corresponding dim in the input spec '{input_spec}' or "
                             f"weight spec '{output_spec}'")
    kernel_shape, input_axes, output_axes = [], [], []
    for i, d in enumerate(weight_spec):
        if d in output_map:
            kernel_shape.append(output_shape[output_map[d]])
            output_axes.append(i)
        elif d in input_map:
            kernel_shape.append(input_shape[input_map[d]])
            input_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input "
                             f"spec '{input_spec}' or the output spec '{output_spec}'. For this "
                             "layer, the weight must be fully specified.")
    bias_shape = None
    if bias_axes is not None:
        skip = elided if left_elided else 0
        sizes = {c: output_shape[i + skip] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the "
                                 f"output spec '{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    return kernel_shape, bias_shape, output_shape, input_axes, output_axes


class EinsumDense(EinsumDenseQuantization, Layer):
    """A dense layer of any rank: `equation` such as "ab,bc->ac" or "...b,bc->...c";
    `output_shape` the output without the batch axis (None where it equals the input's)."""
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        self._set_quantization_config(quantization_config)
        if not isinstance(equation, str):
            raise TypeError(f"EinsumDense '{self.name}': `equation` must be a string. "
                            f"Received: equation={equation!r}")
        try:
            _split(equation)
        except ValueError as e:
            raise ValueError(f"EinsumDense '{self.name}': {e}") from None
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else \
            tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        try:
            kernel_shape, bias_shape, _, in_axes, out_axes = analyze(
                self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        except ValueError as e:
            raise ValueError(f"EinsumDense '{self.name}' (equation '{self.equation}', "
                             f"output_shape {self.partial_output_shape}) does not fit inputs of "
                             f"shape {tuple(input_shape)}: {e}") from None
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and (init.input_axes is None
                                                  or init.output_axes is None):
            init = type(init).from_config({**init.get_config(), "seed": init.seed,
                                           "input_axes": in_axes, "output_axes": out_axes})
        if self.quantization_mode:
            self._quantized_build(tuple(kernel_shape), self.quantization_mode)
        else:
            self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape),
                                          initializer=init)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape),
                                        initializer=self.bias_initializer)

    def call(self, inputs):
        if self.quantization_mode:
            x = self._quantized_call(jnp.asarray(inputs, self.compute_dtype))
        else:
            x = jnp.einsum(self.equation, jnp.asarray(inputs, self.compute_dtype), self.kernel)
        if self.bias_axes is not None:
            x = x + self.bias
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": config_utils.activation(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": config_utils.initializer(self.kernel_initializer),
                "bias_initializer": config_utils.initializer(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias",
                                                             activity=True),
                "quantization_config": serialize_keras_object(self.quantization_config)}

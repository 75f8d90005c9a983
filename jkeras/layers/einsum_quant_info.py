"""The axes EinsumDense's int8 quantization works along, from its equation (Keras's
`_analyze_quantization_info`): which input / kernel axes the einsum reduces (quantized per the
other axes), how their scales are laid out to broadcast against the output, and the einsum of
the inputs' gradient."""
import re
import string
from typing import NamedTuple

from jkeras.layers.einsum_equation import _split


class QuantizationInfo(NamedTuple):
    input_reduced_axes: list
    kernel_reduced_axes: list
    input_transpose_axes: list
    kernel_transpose_axes: list
    input_expand_axes: list
    kernel_expand_axes: list
    input_squeeze_axes: list
    kernel_squeeze_axes: list
    custom_gradient_equation: str
    kernel_reverse_transpose_axes: list


def _full_specs(equation, ndim):
    """Input, kernel and output labels with the ellipsis spelled out for inputs of rank `ndim`."""
    input_spec, weight_spec, output_spec, left_elided = _split(equation)
    dotted = re.sub(r"\.\.\.", "0", equation)
    if "0" not in dotted:
        return input_spec, weight_spec, output_spec
    free = sorted(set(string.ascii_letters) - set(input_spec) - set(weight_spec)
                  - set(output_spec))
    elided = ndim - len(input_spec)
    for i in range(elided):
        if left_elided:
            input_spec, output_spec = free[i] + input_spec, free[i] + output_spec
        else:
            input_spec, output_spec = input_spec + free[i], output_spec + free[i]
    return input_spec, weight_spec, output_spec


def _place_reduced(reduced, expand, transpose):
    """Keras's post-processing: each reduced axis takes a free output slot, else is squeezed."""
    squeeze, index = [], None
    for original in reduced:
        if expand:
            index = expand.pop(0)
        else:
            squeeze.append(original)
        transpose.insert(index, original)
    return squeeze


def analyze(equation, ndim):
    """`QuantizationInfo` for `equation` on inputs of rank `ndim`."""
    input_spec, weight_spec, output_spec = _full_specs(equation, ndim)
    input_reduced = [i for i, c in enumerate(input_spec) if c not in output_spec]
    kernel_reduced = [i for i, c in enumerate(weight_spec) if c not in output_spec]
    input_expand = [i for i, c in enumerate(output_spec) if c not in input_spec]
    kernel_expand = [i for i, c in enumerate(output_spec) if c not in weight_spec]
    input_transpose = [input_spec.find(c) for c in output_spec if c in input_spec]
    kernel_transpose = [weight_spec.find(c) for c in output_spec if c in weight_spec]
    input_squeeze = _place_reduced(input_reduced, input_expand, input_transpose)
    kernel_squeeze = _place_reduced(kernel_reduced, kernel_expand, kernel_transpose)
    reverse = [i for _, i in sorted((v, i) for i, v in enumerate(kernel_transpose))]
    return QuantizationInfo(input_reduced, kernel_reduced, input_transpose, kernel_transpose,
                            input_expand, kernel_expand, input_squeeze, kernel_squeeze,
                            f"{output_spec},{weight_spec}->{input_spec}", reverse)

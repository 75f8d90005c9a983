"""Argument checks and static shape math shared by the convolution, pooling and reshaping layers.

Everything here is plain Python on static shapes, so errors surface before JAX sees data and the
traced code stays a single lax call. Messages follow Keras 3's wording.
"""
import contextlib

import numpy as np

from jkeras.core import config


@contextlib.contextmanager
def arg_errors(cls_name):
    """Prefix argument errors with the layer class (the layer has no name yet)."""
    try:
        yield
    except ValueError as e:
        raise ValueError(f"{cls_name}: {e}") from None


def rank_classes(base, name, ranks=(1, 2, 3)):
    """Keras's per-rank public classes of one family (`name` holds "{}" for the rank, e.g.
    "MaxPooling{}D"): subclasses of `base` that set only `rank`, placed in `base`'s module as if
    written out one by one, so config, pickling and `isinstance` see ordinary classes."""
    return tuple(type(base)(name.format(rank), (base,), {
        "rank": rank, "__doc__": base.__doc__, "__module__": base.__module__,
        "__qualname__": name.format(rank)}) for rank in ranks)


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or n ints -> a tuple of n ints (> 0, or >= 0 with allow_zero)."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
            raise ValueError(message)
        values = tuple(int(v) for v in values)
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {'>= 0' if allow_zero else '> 0'}`")
    return values


def standardize_padding(value, allow_causal=False):
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be one of {set(allowed)}. "
                         f"Received: padding={value!r}")
    return padding


# `None` -> jkeras.config.image_data_format(), as Keras; otherwise validated
standardize_data_format = config.standardize_data_format


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive "
                         f"integer. Received {name}={value!r}.")
    return int(value)


def check_rank(layer, shape, ndim):
    """InputSpec's rank check, run from `build` (which sees the shape before `apply` checks)."""
    if len(shape) != ndim:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: '
                         f"expected ndim={ndim}, found ndim={len(shape)}. "
                         f"Full shape received: {tuple(shape)}")


def spatial(shape, data_format):
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def channels(shape, data_format):
    return shape[-1] if data_format == "channels_last" else shape[1]


def with_spatial(shape, data_format, new_spatial, new_channels=None):
    c = channels(shape, data_format) if new_channels is None else new_channels
    if data_format == "channels_last":
        return (shape[0],) + tuple(new_spatial) + (c,)
    return (shape[0], c) + tuple(new_spatial)


def window_output_size(size, window, stride, padding, dilation=1):
    """Output length along one axis of a conv/pool window (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (window - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # "same" and "causal"


def conv_output_shape(layer, shape, out_channels, kernel_size, strides, padding, dilation):
    """Keras's compute_conv_output_shape, raising its error when a "valid" output is empty."""
    sizes = tuple(window_output_size(s, k, st, padding, d) for s, k, st, d in
                  zip(spatial(shape, layer.data_format), kernel_size, strides, dilation))
    if any(s is not None and s <= 0 for s in sizes):
        in_channels = channels(shape, layer.data_format)
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': computed output size would be zero or "
            f"negative. Received `inputs shape={tuple(shape)}`, "
            f"`kernel shape={tuple(kernel_size) + (in_channels, out_channels)}`, "
            f"`dilation_rate={tuple(dilation)}`, `strides={tuple(strides)}`, "
            f"`padding={padding}`.")
    return with_spatial(shape, layer.data_format, sizes, out_channels)


def pool_output_shape(layer, shape):
    sizes = tuple(window_output_size(s, p, st, layer.padding) for s, p, st in
                  zip(spatial(shape, layer.data_format), layer.pool_size, layer.strides))
    if any(s is not None and s <= 0 for s in sizes):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': computed output size would be zero or "
            f"negative. Received: `inputs.shape={tuple(shape)}`, "
            f"`pool_size={layer.pool_size}`, `strides={layer.strides}`, "
            f"`padding={layer.padding}`.")
    return with_spatial(shape, layer.data_format, sizes)


def lax_dimension_numbers(rank, data_format):
    """lax layouts for Keras's (N, *spatial, C) / (N, C, *spatial) and (*k, in, out) kernels."""
    sp = "DHW"[-rank:]
    lhs = "N" + sp + "C" if data_format == "channels_last" else "NC" + sp
    return (lhs, sp + "IO", lhs)

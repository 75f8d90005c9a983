"""Convolutions: Conv1D/2D/3D (groups, "causal" for 1D), Conv1D/2D/3DTranspose,
DepthwiseConv1D/2D and SeparableConv1D/2D, with Keras 3's weight names, layouts and errors.

Each call is one `lax.conv_general_dilated` (or `lax.conv_transpose`) whose dimension numbers
follow `data_format`, so channels_last never pays for a transpose.
"""
import jax.numpy as jnp
from jax import lax

from jkeras import activations, initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers import conv_utils as cu
from jkeras.layers import small_input_conv


class _BaseConv(Layer):
    """Shared arguments, bias and activation of the convolution families."""

    rank = None
    allow_causal = False
    forbid_strided_dilation = True

    def _set_args(self, kernel_size, strides, padding, data_format, dilation_rate, activation,
                  use_bias):
        self.kernel_size = cu.standardize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = cu.standardize_tuple(strides, self.rank, "strides")
        self.dilation_rate = cu.standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = cu.standardize_padding(padding, allow_causal=self.allow_causal)
        self.data_format = cu.standardize_data_format(data_format)
        if (self.forbid_strided_dilation and max(self.strides) > 1
                and max(self.dilation_rate) > 1):
            raise ValueError("`strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._dn = cu.lax_dimension_numbers(self.rank, self.data_format)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1

    def _output_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        return cu.conv_output_shape(self, tuple(input_shape), self._output_channels(input_shape),
                                    self.kernel_size, self.strides, self.padding,
                                    self.dilation_rate)

    def _finish_init(self, kwargs, **initializer_args):
        """Resolve the named initializers, then Layer's own arguments (`name`, `dtype`, ...)."""
        for attr, value in initializer_args.items():
            setattr(self, attr, initializers.get(value))
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _inputs(self, inputs):
        """The inputs in the compute dtype, their shape checked before lax sees an empty window."""
        x = jnp.asarray(inputs, self.compute_dtype)
        self.compute_output_shape(x.shape)
        return x

    def _input_channels(self, input_shape):
        input_shape = tuple(input_shape)
        cu.check_rank(self, input_shape, self.rank + 2)
        in_channels = cu.channels(input_shape, self.data_format)
        if in_channels is None:
            raise ValueError(f"Layer '{self.name}': the channel dimension of the inputs must be "
                             f"known. Received: input_shape={input_shape}")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        return int(in_channels)

    def _add_bias(self, units):
        if self.use_bias:
            self.bias = self.add_weight(shape=(units,), initializer=self.bias_initializer,
                                        name="bias")

    def _finish(self, y):
        if self.use_bias:
            bias = self.bias if self.data_format == "channels_last" else \
                self.bias.reshape((-1,) + (1,) * self.rank)
            y = y + bias
        return self.activation(y)

    def _window_config(self):
        """The config entries every convolution shares (Keras's keys)."""
        return {**Layer.get_config(self), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": config_utils.activation(self.activation),
                "use_bias": self.use_bias}

    def _conv(self, x, kernel, padding, groups=1, strides=None):
        return small_input_conv.conv_general_dilated(
            x, kernel, self.strides if strides is None else strides, padding,
            rhs_dilation=self.dilation_rate, dimension_numbers=self._dn,
            feature_group_count=groups)


class _Conv(_BaseConv):
    """Convolution; kernel (*kernel_size, in_channels // groups, filters)."""
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        with cu.arg_errors(type(self).__name__):
            filters = cu.positive_int(filters, "filters")
            groups = cu.positive_int(groups, "groups")
            if filters % groups:
                raise ValueError("The number of filters must be evenly divisible by the number "
                                 f"of groups. Received: groups={groups}, filters={filters}.")
            self._set_args(kernel_size, strides, padding, data_format, dilation_rate, activation,
                           use_bias)
        self.filters, self.groups = filters, groups
        self._finish_init(kwargs, kernel_initializer=kernel_initializer,
                          bias_initializer=bias_initializer)

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        if in_channels % self.groups:
            raise ValueError(
                f"Layer '{self.name}': the number of input channels must be evenly divisible by "
                f"the number of groups. Received groups={self.groups}, but the input has "
                f"{in_channels} channels (full input shape is {tuple(input_shape)}).")
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (in_channels // self.groups, self.filters),
            initializer=self.kernel_initializer, name="kernel")
        self._add_bias(self.filters)

    def call(self, inputs):
        x = self._inputs(inputs)
        padding = self.padding.upper()
        if self.padding == "causal":  # left-pad the time axis, then "valid"
            pad = [(0, 0)] * 3
            pad[1 if self.data_format == "channels_last" else 2] = (
                self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)
            x, padding = jnp.pad(x, pad), "VALID"
        return self._finish(self._conv(x, self.kernel, padding, self.groups))

    def get_config(self):
        return {**self._window_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": config_utils.initializer(self.kernel_initializer),
                "bias_initializer": config_utils.initializer(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias",
                                                             activity=True)}


class Conv1D(_Conv):
    """1D convolution (temporal); padding may also be "causal"."""
    rank = 1
    allow_causal = True


Conv2D, Conv3D = cu.rank_classes(_Conv, "Conv{}D", ranks=(2, 3))


class _ConvTranspose(_BaseConv):
    """Transposed convolution; kernel (*kernel_size, filters, in_channels)."""
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}
    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        with cu.arg_errors(type(self).__name__):
            filters = cu.positive_int(filters, "filters")
            self._set_args(kernel_size, strides, padding, data_format, dilation_rate, activation,
                           use_bias)
            self.output_padding = None if output_padding is None else cu.standardize_tuple(
                output_padding, self.rank, "output_padding", allow_zero=True)
            for i, (op, s) in enumerate(zip(self.output_padding or (), self.strides)):
                if op >= s:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {op} but "
                        f"`strides` is {s}. Received: output_padding={self.output_padding}, "
                        f"strides={self.strides}")
        self.filters = filters
        self._finish_init(kwargs, kernel_initializer=kernel_initializer,
                          bias_initializer=bias_initializer)

    def get_config(self):
        return {**self._window_config(), "filters": self.filters,
                "output_padding": self.output_padding,
                "kernel_initializer": config_utils.initializer(self.kernel_initializer),
                "bias_initializer": config_utils.initializer(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias",
                                                             activity=True)}

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        # Keras's transposed layout: (*kernel_size, filters, in_channels)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, in_channels),
                                      initializer=self.kernel_initializer, name="kernel")
        self._add_bias(self.filters)

    def _axis_args(self):
        ops = self.output_padding or (None,) * self.rank
        return zip(self.kernel_size, self.strides, self.dilation_rate, ops)

    def compute_output_shape(self, input_shape):
        sizes = []
        for size, (k, s, d, op) in zip(cu.spatial(input_shape, self.data_format),
                                       self._axis_args()):
            k = (k - 1) * d + 1
            if size is None:
                sizes.append(None)
            elif self.padding == "valid":
                sizes.append((size - 1) * s + k + (max(k, s) - k if op is None else op))
            else:
                sizes.append(size * s if op is None else (size - 1) * s + k % 2 + op)
        if any(n is not None and n <= 0 for n in sizes):
            raise ValueError(f"{type(self).__name__} '{self.name}': computed output size would "
                             f"be zero or negative. Received: input_shape={tuple(input_shape)}, "
                             f"output_padding={self.output_padding}.")
        return cu.with_spatial(tuple(input_shape), self.data_format, sizes, self.filters)

    def _lax_padding(self):
        """Keras's (JAX backend) conversion of padding/output_padding to explicit lax pads."""
        pads = []
        for k, s, d, op in self._axis_args():
            k = (k - 1) * d + 1
            if self.padding == "valid":
                pads.append((k - 1, k - 1 + (max(k, s) - k if op is None else op)))
            else:
                total = s + k - 2 if op is None else k + k % 2 - 2 + op
                left = min(total // 2 + total % 2, k - 1)
                pads.append((left, total - left))
        return pads

    def call(self, inputs):
        x = self._inputs(inputs)
        y = lax.conv_transpose(x, self.kernel, self.strides, self._lax_padding(),
                               rhs_dilation=self.dilation_rate, dimension_numbers=self._dn,
                               transpose_kernel=True)
        return self._finish(y)


Conv1DTranspose, Conv2DTranspose, Conv3DTranspose = cu.rank_classes(_ConvTranspose,
                                                                    "Conv{}DTranspose")


class _DepthwiseMixin(_BaseConv):
    forbid_strided_dilation = False  # Keras allows both for depthwise/separable convs

    def _depthwise_args(self, depth_multiplier, kernel_size, strides, padding, data_format,
                        dilation_rate, activation, use_bias):
        self.depth_multiplier = cu.positive_int(depth_multiplier, "depth_multiplier")
        self._set_args(kernel_size, strides, padding, data_format, dilation_rate, activation,
                       use_bias)

    def _build_depthwise(self, input_shape, name):
        """The per-channel kernel (*kernel_size, in_channels, depth_multiplier); returns
        in_channels."""
        in_channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        setattr(self, name, self.add_weight(
            shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, name=name))
        return in_channels

    def _depthwise_config(self, *penalized):
        """The config entries both families share; `penalized` names their regularized weights."""
        init = config_utils.initializer
        return {**self._window_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": init(self.depthwise_initializer),
                "bias_initializer": init(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "depthwise", *penalized,
                                                             "bias", activity=True)}

    def _depthwise(self, x, kernel):
        """One grouped conv: each input channel gets its own `depth_multiplier` filters."""
        in_channels = kernel.shape[-2]
        kernel = kernel.reshape(kernel.shape[:-2] + (1, in_channels * kernel.shape[-1]))
        return self._conv(x, kernel, self.padding.upper(), groups=in_channels)


class _DepthwiseConv(_DepthwiseMixin):
    """Per-channel convolution; kernel (*kernel_size, in_channels, depth_multiplier)."""
    _penalty_weights = {"kernel": "depthwise", "bias": "bias"}
    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        with cu.arg_errors(type(self).__name__):
            self._depthwise_args(depth_multiplier, kernel_size, strides, padding, data_format,
                                 dilation_rate, activation, use_bias)
        self._finish_init(kwargs, depthwise_initializer=depthwise_initializer,
                          bias_initializer=bias_initializer)

    def build(self, input_shape):
        # Keras 3 names the depthwise layer's weight "kernel"
        in_channels = self._build_depthwise(input_shape, "kernel")
        self._add_bias(in_channels * self.depth_multiplier)

    def _output_channels(self, input_shape):
        return cu.channels(input_shape, self.data_format) * self.depth_multiplier

    def call(self, inputs):
        x = self._inputs(inputs)
        return self._finish(self._depthwise(x, self.kernel))

    def get_config(self):
        return self._depthwise_config()


DepthwiseConv1D, DepthwiseConv2D = cu.rank_classes(_DepthwiseConv, "DepthwiseConv{}D",
                                                   ranks=(1, 2))


class _SeparableConv(_DepthwiseMixin):
    """Depthwise then 1x1 pointwise; weights depthwise_kernel, pointwise_kernel, bias."""
    _penalty_weights = {"depthwise_kernel": "depthwise", "pointwise_kernel": "pointwise",
                        "bias": "bias"}
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        with cu.arg_errors(type(self).__name__):
            filters = cu.positive_int(filters, "filters")
            self._depthwise_args(depth_multiplier, kernel_size, strides, padding, data_format,
                                 dilation_rate, activation, use_bias)
        self.filters = filters
        self._finish_init(kwargs, depthwise_initializer=depthwise_initializer,
                          pointwise_initializer=pointwise_initializer,
                          bias_initializer=bias_initializer)

    def build(self, input_shape):
        in_channels = self._build_depthwise(input_shape, "depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (in_channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name="pointwise_kernel")
        self._add_bias(self.filters)

    def call(self, inputs):
        x = self._inputs(inputs)
        y = self._depthwise(x, self.depthwise_kernel)
        y = self._conv(y, self.pointwise_kernel, "VALID", strides=(1,) * self.rank)
        return self._finish(y)

    def get_config(self):
        return {**self._depthwise_config("pointwise"), "filters": self.filters,
                "pointwise_initializer": config_utils.initializer(self.pointwise_initializer)}


SeparableConv1D, SeparableConv2D = cu.rank_classes(_SeparableConv, "SeparableConv{}D",
                                                   ranks=(1, 2))


# Keras's aliases
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

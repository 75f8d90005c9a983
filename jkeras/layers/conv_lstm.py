"""ConvLSTM1D/2D/3D: an LSTM whose input and recurrent transformations are convolutions.

The cell (`conv_lstm_cell`, as Keras's weight path) holds `kernel` (*kernel_size, channels,
4*filters), `recurrent_kernel` (*kernel_size, filters, 4*filters) and `bias` (4*filters,), gates
i, f, c, o. The recurrent convolution is "same" with stride 1. The time loop is one `lax.scan`;
masks and dropout follow recurrent.py (one dropout mask per sequence, shared by the gates).
"""
import jax
import jax.numpy as jnp
from jax import lax

from jkeras import activations, initializers
from jkeras.core import frame as frames, weight_options
from jkeras.core.input_spec import InputSpec, check_input_spec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers import conv_utils as cu
from jkeras.layers.recurrent import scan_cell
from jkeras.layers.recurrent_cells import forget_bias_initializer
from jkeras.layers.rnn_stateful import StatefulMixin


class _ConvLSTMCell(Layer):
    _penalty_weights = {"kernel": "kernel", "recurrent_kernel": "recurrent", "bias": "bias"}
    def __init__(self, rank, filters, kernel_size, strides, padding, data_format, dilation_rate,
                 activation, recurrent_activation, use_bias, kernel_initializer,
                 recurrent_initializer, bias_initializer, unit_forget_bias, **kwargs):
        super().__init__(**kwargs)
        self.rank, self.filters, self.kernel_size = rank, filters, kernel_size
        self.strides, self.padding, self.data_format = strides, padding, data_format
        self.dilation_rate = dilation_rate
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape):
        channels = cu.channels(input_shape, self.data_format)
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, 4 * self.filters),
                                      initializer=self.kernel_initializer, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, 4 * self.filters),
            initializer=self.recurrent_initializer, name="recurrent_kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(4 * self.filters,), name="bias",
                                        initializer=self._bias_init())

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.filters)

    def _conv(self, x, w, strides, padding, dilation):
        return lax.conv_general_dilated(
            x, w, strides, padding.upper(), rhs_dilation=dilation,
            dimension_numbers=cu.lax_dimension_numbers(self.rank, self.data_format))

    def call(self, inputs, states, dp_mask=None, rec_mask=None):
        h, c = states
        x = inputs if dp_mask is None else inputs * dp_mask
        h = h if rec_mask is None else h * rec_mask
        z = self._conv(x, self.kernel, self.strides, self.padding, self.dilation_rate)
        z = z + self._conv(h, self.recurrent_kernel, (1,) * self.rank, "same", (1,) * self.rank)
        axis = -1 if self.data_format == "channels_last" else 1
        if self.use_bias:
            shape = [1] * z.ndim
            shape[axis] = -1
            z = z + self.bias.reshape(shape)
        zi, zf, zc, zo = jnp.split(z, 4, axis=axis)
        i, f = self.recurrent_activation(zi), self.recurrent_activation(zf)
        c = f * c + i * self.activation(zc)
        h = self.recurrent_activation(zo) * self.activation(c)
        return h, [h, c]


class _ConvLSTM(StatefulMixin, Layer):
    """LSTM whose gates are convolutions; inputs (batch, time, *spatial, channels) with
    channels_last."""
    rank = None
    _penalty_weights = _ConvLSTMCell._penalty_weights  # (held for the cell's weights)

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        name = type(self).__name__
        with cu.arg_errors(name):
            filters = cu.positive_int(filters, "filters")
            kernel_size = cu.standardize_tuple(kernel_size, self.rank, "kernel_size")
            strides = cu.standardize_tuple(strides, self.rank, "strides")
            dilation_rate = cu.standardize_tuple(dilation_rate, self.rank, "dilation_rate")
            padding = cu.standardize_padding(padding)
            data_format = cu.standardize_data_format(data_format)
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate <= 1:
                raise ValueError(f"{name}: `{arg}` must be a float between 0 and 1. "
                                 f"Received: {arg}={rate!r}")
        super().__init__(**kwargs)
        penalties = {name: getattr(self, name)  # the cell's weights take them
                     for name in weight_options.argument_names(_ConvLSTMCell)[1:]}
        self.cell = _ConvLSTMCell(
            self.rank, filters, kernel_size, strides, padding, data_format, dilation_rate,
            activations.get(activation), activations.get(recurrent_activation), bool(use_bias),
            initializers.get(kernel_initializer), initializers.get(recurrent_initializer),
            initializers.get(bias_initializer), bool(unit_forget_bias), name="conv_lstm_cell",
            dtype=self.dtype_policy, **penalties)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.unroll = bool(go_backwards), bool(unroll)
        self.stateful = bool(stateful)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def __getattr__(self, name):  # filters, kernel_size, ... as Keras exposes them
        cell = self.__dict__.get("cell")
        if cell is not None and name in ("filters", "kernel_size", "strides", "padding",
                                         "data_format", "dilation_rate", "activation",
                                         "recurrent_activation", "use_bias", "unit_forget_bias"):
            return getattr(cell, name)
        return super().__getattr__(name)

    def compute_mask(self, inputs, mask=None):
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def _state_shape(self, x):
        step = (x.shape[0],) + x.shape[2:]
        cell = self.cell
        return cu.conv_output_shape(cell, step, cell.filters, cell.kernel_size, cell.strides,
                                    cell.padding, cell.dilation_rate)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        check_input_spec(self, (sequences,))  # init runs `call` without the spec check
        x = jnp.asarray(sequences)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.compute_dtype)
        shape = self._state_shape(x)
        if initial_state is None:
            zeros = [jnp.zeros(shape, x.dtype), jnp.zeros(shape, x.dtype)]
            states = self.stateful_states(x.shape[0], lambda b: zeros) if self.stateful \
                else zeros
        else:
            states = [jnp.asarray(s, x.dtype) for s in initial_state]
            if len(states) != 2 or any(s.shape != shape for s in states):
                raise ValueError(f"Layer '{self.name}' expects 2 initial states of shape "
                                 f"{shape}. Received: {[s.shape for s in states]}")
        frame = frames.frame_of(self)
        if frame is not None and frame.init_key is not None:
            self.cell(x[:, 0], states)  # create the weights outside the scan
        kwargs = {}
        if training and (0 < self.dropout < 1 or 0 < self.recurrent_dropout < 1):
            key = self.call_rng()
            key = key if self.seed is None else jax.random.fold_in(key, self.seed)
            k1, k2 = jax.random.split(key)
            for arg, rate, k, like in (("dp_mask", self.dropout, k1, x[:, 0]),
                                       ("rec_mask", self.recurrent_dropout, k2, states[0])):
                if 0 < rate < 1:
                    keep = jax.random.bernoulli(k, 1.0 - rate, like.shape)
                    kwargs[arg] = keep.astype(x.dtype) / (1.0 - rate)
        xs = jnp.swapaxes(x, 0, 1)
        ms = None
        if mask is not None:
            ms = jnp.swapaxes(jnp.asarray(mask).astype(bool).reshape(x.shape[:2]), 0, 1)
        final, output = scan_cell(self, lambda x_t, s: self.cell(x_t, s, **kwargs), xs, ms,
                                  states, jnp.zeros(shape, x.dtype))
        if self.stateful:
            self.store_states(final)
        return (output, *final) if self.return_state else output

    def get_config(self):
        c = self.cell
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask, "filters": c.filters,
                "kernel_size": c.kernel_size, "strides": c.strides, "padding": c.padding,
                "data_format": c.data_format, "dilation_rate": c.dilation_rate,
                "activation": config_utils.activation(c.activation),
                "recurrent_activation": config_utils.activation(c.recurrent_activation),
                "use_bias": c.use_bias,
                "kernel_initializer": config_utils.initializer(c.kernel_initializer),
                "recurrent_initializer": config_utils.initializer(c.recurrent_initializer),
                "bias_initializer": config_utils.initializer(c.bias_initializer),
                "unit_forget_bias": c.unit_forget_bias,
                **config_utils.regularizers_and_constraints(
                    self, "kernel", "recurrent", "bias", activity=True),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


ConvLSTM1D, ConvLSTM2D, ConvLSTM3D = cu.rank_classes(_ConvLSTM, "ConvLSTM{}D")

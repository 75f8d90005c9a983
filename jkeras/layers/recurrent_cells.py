"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU, with Keras 3's weight layouts.

A cell owns `kernel` (input_dim, gates*units), `recurrent_kernel` (units, gates*units) and `bias`
(gates*units,), or (2, 3*units) for a GRU with reset_after=True; gates are ordered as Keras's
(LSTM: i, f, c, o; GRU: z, r, h). `call(inputs, states)` returns `(output, new_states)` as a
Keras cell does. The RNN layers in recurrent.py run a cell over time with `lax.scan`.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras import activations, initializers
from jkeras.core import shapes
from jkeras.core.layer import Layer
from jkeras.layers import config_utils


def _check_units(units, owner):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f"Received an invalid value for argument `units` of {owner}, "
                         f"expected a positive integer, got {units!r}.")
    return int(units)


def _check_rate(rate, arg, owner):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)):
        raise ValueError(f"Invalid value received for argument `{arg}` of {owner}, expected a "
                         f"float between 0 and 1. Received: {arg}={rate!r}")
    return min(1.0, max(0.0, float(rate)))  # Keras clips the rate silently


def _project(x, kernel, masks):
    """`x @ kernel`, with dropout masks applied first: one mask shared by every gate, or one
    mask per gate (Keras's implementation 1, used when recurrent_dropout is on)."""
    if masks is None:
        return jnp.matmul(x, kernel)
    if masks.shape[0] == 1:
        return jnp.matmul(x * masks[0], kernel)
    parts = jnp.split(kernel, masks.shape[0], axis=1)
    return jnp.concatenate([jnp.matmul(x * m, k) for m, k in zip(masks, parts)], axis=-1)


def forget_bias_initializer(base, units):
    """Keras's unit_forget_bias: the forget gate's bias (gates i, f, c, o) starts at one, the
    others from `base`."""
    def init(key, shape, dtype):
        k1, k2 = jax.random.split(key)
        return jnp.concatenate([base((units,), dtype, key=k1), jnp.ones((units,), dtype),
                                base((2 * units,), dtype, key=k2)])
    return init


class _Cell(Layer):
    gates = 1
    _penalty_weights = {"kernel": "kernel", "recurrent_kernel": "recurrent", "bias": "bias"}

    def __init__(self, units, activation="tanh", recurrent_activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, **kwargs):
        owner = type(self).__name__
        units = _check_units(units, owner)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = _check_rate(dropout, "dropout", owner)
        self.recurrent_dropout = _check_rate(recurrent_dropout, "recurrent_dropout", owner)

    @property
    def state_size(self):
        return [self.units]

    @property
    def output_size(self):
        return self.units

    @property
    def dropout_mask_count(self):
        # Keras switches to per-gate masks (implementation 1) when recurrent dropout is on.
        return self.gates if self.recurrent_dropout > 0 else 1

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}': the last dimension of the inputs to "
                             f"{type(self).__name__} must be known. Received: {input_shape}")
        n = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], n), name="kernel",
                                      initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(shape=(self.units, n), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer)
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias",
                                        initializer=self._bias_initializer())

    def get_initial_state(self, batch_size, dtype="float32"):
        return [jnp.zeros((batch_size, size), dtype) for size in self.state_size]

    def get_config(self):
        init = config_utils.initializer
        return {**super().get_config(), "units": self.units,
                "activation": config_utils.activation(self.activation),
                "recurrent_activation": config_utils.activation(self.recurrent_activation),
                "use_bias": self.use_bias, "kernel_initializer": init(self.kernel_initializer),
                "recurrent_initializer": init(self.recurrent_initializer),
                "bias_initializer": init(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "recurrent", "bias"),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": None}


class SimpleRNNCell(_Cell):
    """`h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)`."""

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["recurrent_activation"]  # Keras's SimpleRNNCell has none
        return config

    def call(self, inputs, states, training=False, dropout_masks=(None, None)):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        dp, rdp = dropout_masks
        h = _project(inputs, self.kernel, dp)
        if self.use_bias:
            h = h + self.bias
        output = self.activation(h + _project(h_prev, self.recurrent_kernel, rdp))
        return output, [output]


class LSTMCell(_Cell):
    """Gates i, f, c, o; `c = f*c_prev + i*act(z_c)`, `h = o*act(c)`."""
    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.units)

    def call(self, inputs, states, training=False, dropout_masks=(None, None)):
        h_prev, c_prev = states[0], states[1]
        dp, rdp = dropout_masks
        z = _project(inputs, self.kernel, dp) + _project(h_prev, self.recurrent_kernel, rdp)
        if self.use_bias:
            z = z + self.bias
        z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """Gates z, r, h; `h = z*h_prev + (1-z)*hh`. reset_after=True (Keras's default) applies the
    reset gate after the recurrent matmul and keeps a separate recurrent bias (bias row 1)."""
    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False, dropout_masks=(None, None)):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        dp, rdp = dropout_masks
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[0], self.bias[1]
            else:
                input_bias = self.bias
        x = _project(inputs, self.kernel, dp)
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = jnp.split(x, 3, axis=-1)
        if self.reset_after:
            inner = _project(h_prev, self.recurrent_kernel, rdp)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
        else:
            inner = _project(h_prev, self.recurrent_kernel[:, :2 * u],
                             None if rdp is None else rdp[:2])
        z = self.recurrent_activation(x_z + inner[:, :u])
        r = self.recurrent_activation(x_r + inner[:, u:2 * u])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * u:]
        else:
            h_in = h_prev if rdp is None else h_prev * rdp[-1]
            recurrent_h = jnp.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_prev + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class StackedRNNCells(Layer):
    """Cells run one after another at each step, as one cell: the output of each is the input
    of the next; the states are those of every cell, in order (flat)."""

    def __init__(self, cells, **kwargs):
        cells = list(cells)
        for cell in cells:
            if not isinstance(cell, Layer) or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `state_size` attribute and a `call` "
                                 f"method. Received cell without a `state_size`: {cell}")
            if getattr(cell, "dropout", 0) or getattr(cell, "recurrent_dropout", 0):
                raise ValueError(
                    "jkeras's StackedRNNCells does not support cells with `dropout` or "
                    f"`recurrent_dropout` yet (cell '{cell.name}'); use stacked RNN layers "
                    "(return_sequences=True) for dropout between steps.")
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        return [s for cell in self.cells for s in cell.state_size]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or last.state_size[0]

    def init(self, key, /, *inputs, **kwargs):
        # Built from the inputs' shape alone (a build config): zero states stand in.
        if len(inputs) == 1 and "states" not in kwargs:
            x = shapes.examples(inputs)[0]
            inputs = (x, [jnp.zeros((x.shape[0], s), x.dtype) for s in self.state_size])
        return super().init(key, *inputs, **kwargs)

    def call(self, inputs, states, training=False):
        states, new_states, x = list(states), [], inputs
        for cell in self.cells:
            n = len(cell.state_size)
            x, new = cell(x, states[:n], training=training)
            states = states[n:]
            new_states.extend(new if isinstance(new, (list, tuple)) else [new])
        return x, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [config_utils.nested(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cells = [c if isinstance(c, Layer) else config_utils.from_nested(c)
                 for c in config.pop("cells")]
        return super().from_config({**config, "cells": cells})

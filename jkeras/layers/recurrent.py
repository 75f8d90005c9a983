"""Recurrent layers: RNN(cell), SimpleRNN, LSTM, GRU and the Bidirectional wrapper.

The time loop is one `lax.scan` over the cell (cells in recurrent_cells.py). Masking is Keras's:
a masked step keeps the previous states and repeats the previous output (zeros before the first
step), or emits zeros when `zero_output_for_mask` (Bidirectional turns that on for sequences).
`go_backwards` reads the sequence from the end and returns outputs in that reversed order.
Variables nest as Keras's weight paths: {"lstm": {"lstm_cell": {"kernel", "recurrent_kernel",
"bias"}}}, and {"bidirectional": {"forward_lstm": {...}, "backward_lstm": {...}}}.
`stateful=True` keeps the last states between calls (rnn_stateful.py). A custom cell may take
nested inputs and return nested outputs, with states given as shapes (the guide's NestedCell).
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jkeras.core import frame as frames
from jkeras.core.input_spec import InputSpec, check_input_spec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell
from jkeras.layers.rnn_stateful import StatefulMixin, check_static_batch, unwrap_initial_state


def _in_init(layer):
    frame = frames.frame_of(layer)
    return frame is not None and frame.init_key is not None


def _first(mask):
    while isinstance(mask, (list, tuple)):
        mask = mask[0] if mask else None
    return mask


def masked_step(m_t, out, new, prev, states, zero_output):
    """Keras's masked time step: where `m_t` (batch,) is False the states stay as they were and
    the output repeats the previous one (zeros with `zero_output`). `out` may be nested."""
    def keep(like):
        return m_t.reshape((-1,) + (1,) * (like.ndim - 1))
    out = jax.tree_util.tree_map(
        lambda o, p: jnp.where(keep(o), o, jnp.zeros_like(o) if zero_output else p), out, prev)
    return out, [jnp.where(keep(n), n, s) for n, s in zip(new, states)]


def scan_cell(layer, cell_step, xs, ms, states, prev):
    """The time loop of `layer` (an RNN-like layer: go_backwards, return_sequences,
    zero_output_for_mask) over time-major `xs` (an array or a nest of arrays) and masks `ms`
    (or None) as one `lax.scan`: (final states, output: the batch-major sequence or the last
    step)."""
    if layer.go_backwards:
        xs = jax.tree_util.tree_map(lambda a: a[::-1], xs)
        ms = None if ms is None else ms[::-1]

    def step(carry, inp):
        states, prev = carry
        x_t, m_t = inp
        out, new = cell_step(x_t, list(states))
        new = list(new) if isinstance(new, (list, tuple)) else [new]
        if m_t is not None:
            out, new = masked_step(m_t, out, new, prev, states, layer.zero_output_for_mask)
        return (new, out), (out if layer.return_sequences else None)

    (final, last), outs = lax.scan(step, (states, prev), (xs, ms))
    if not layer.return_sequences:
        return final, last
    return final, jax.tree_util.tree_map(lambda a: jnp.swapaxes(a, 0, 1), outs)


def _size_shape(size):
    """A cell's state or output size (an int, or a shape as a list/tuple) as a shape tuple."""
    if isinstance(size, (list, tuple)):
        return tuple(int(d) for d in size)
    return (int(size),)


class RNN(StatefulMixin, Layer):
    """Runs `cell` over the time axis of (batch, timesteps, features) inputs."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if not isinstance(cell, Layer) or not hasattr(cell, "state_size"):
            raise ValueError("Argument `cell` should be a jkeras Layer with a `state_size` "
                             "attribute and a `call(inputs, states)` method. "
                             f"Received: cell={cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # accepted for compatibility: lax.scan needs no unrolling
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    @property
    def state_size(self):
        # an int (one state), or one entry per state: an int or a shape (list / tuple)
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def get_initial_state(self, batch_size):
        """Zeros states (the cell's own `get_initial_state` when it has one), as a list."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        return [jnp.zeros((batch_size,) + _size_shape(s), self.cell.compute_dtype)
                for s in self.state_size]

    def compute_mask(self, inputs, mask=None):
        mask = _first(mask)
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def call(self, sequences, initial_state=None, mask=None, training=False):
        check_input_spec(self, (sequences,))  # init runs `call` without the spec check

        def as_input(a):
            a = jnp.asarray(a)
            return a if jnp.issubdtype(a.dtype, jnp.floating) else a.astype(self.compute_dtype)
        x = jax.tree_util.tree_map(as_input, sequences)
        first = jax.tree_util.tree_leaves(x)[0]  # nested inputs: (batch, timesteps, ...) each
        batch, dtype = first.shape[0], first.dtype
        if self.stateful and initial_state is None:
            states = self.stateful_states(batch, lambda b: self._initial_state(None, b, dtype))
        else:
            states = self._initial_state(initial_state, batch, dtype)
        mask = _first(mask)
        x0 = jax.tree_util.tree_map(lambda a: a[:, 0], x)
        if _in_init(self):
            # Create the cell's weights outside the scan (inside it they would be tracers).
            self.cell(x0, states, training=training)
        cell_kwargs = {"training": training}
        masks = self._dropout_masks(x, states[0], training)
        if masks != (None, None):
            cell_kwargs["dropout_masks"] = masks

        def cell_step(x_t, s):
            return self.cell(x_t, s, **cell_kwargs)
        xs = jax.tree_util.tree_map(lambda a: jnp.swapaxes(a, 0, 1), x)
        ms = None
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim == 3:
                mask = mask[..., 0]
            if mask.shape != first.shape[:2]:
                raise ValueError(f"Layer '{self.name}': the mask must have shape (batch, "
                                 f"timesteps)={first.shape[:2]}. Received: "
                                 f"mask.shape={mask.shape}")
            ms = jnp.swapaxes(mask.astype(bool), 0, 1)
        size = self.cell.output_size
        if isinstance(size, (int, np.integer)):
            prev = jnp.zeros((batch, size), dtype)
        else:  # nested outputs: zeros of the structure the cell returns
            spec = jax.eval_shape(lambda a, s: cell_step(a, s)[0], x0, states)
            prev = jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape, a.dtype), spec)
        final, output = scan_cell(self, cell_step, xs, ms, states, prev)
        if self.stateful:
            self.store_states(final)
        if self.return_state:
            return (output, *final)
        return output

    def _initial_state(self, initial_state, batch, dtype):
        sizes = self.state_size
        if initial_state is None:
            return [jnp.zeros((batch,) + _size_shape(s), dtype) for s in sizes]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else \
            [initial_state]
        if len(states) != len(sizes):
            raise ValueError(f"Layer '{self.name}' expects {len(sizes)} initial state(s) "
                             f"(state_size={sizes}), but received {len(states)}.")
        out = []
        for s, size in zip(states, sizes):
            s = jnp.asarray(s, dtype)
            expected = (batch,) + _size_shape(size)
            if s.shape != expected:
                shown = ", ".join(str(d) for d in _size_shape(size))
                raise ValueError(f"Layer '{self.name}': each initial state must have shape "
                                 f"(batch_size, {shown})={expected}. Received: {s.shape}")
            out.append(s)
        return out

    def _dropout_masks(self, x, h, training):
        """One mask per sequence (the same at every step), as Keras's DropoutRNNCell."""
        rate = getattr(self.cell, "dropout", 0.0)
        rec_rate = getattr(self.cell, "recurrent_dropout", 0.0)
        if not training or not (0 < rate < 1 or 0 < rec_rate < 1):
            return None, None
        count = getattr(self.cell, "dropout_mask_count", 1)
        k_in, k_rec = jax.random.split(self.call_rng())

        def make(key, r, like):
            if not 0 < r < 1:
                return None
            keep = jax.random.bernoulli(key, 1.0 - r, (count,) + like.shape)
            return keep.astype(like.dtype) / (1.0 - r)
        return make(k_in, rate, x[:, 0]), make(k_rec, rec_rate, h)

    def get_config(self):
        from jkeras.core.serialization import serialize_keras_object
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize_keras_object(self.cell)}

    def _clone(self, **overrides):
        """A fresh layer with the same configuration (Bidirectional's forward/backward copies)."""
        config = {**self.get_config(), **overrides}
        if "cell" in config:  # a copy of the cell object itself: custom cells need no registry
            config["cell"] = type(self.cell).from_config(self.cell.get_config())
        clone = type(self).from_config(config)
        build_config = self.get_build_config()
        if build_config:  # Keras deserializes the copy with its build config: built too
            clone.build_from_config(build_config)
        return clone


def _delegate(*names):
    """Expose cell arguments on the layer (`lstm.units`), as Keras does."""
    def attach(cls):
        for attr in names:
            setattr(cls, attr, property(lambda self, a=attr: getattr(self.cell, a)))
        return cls
    return attach


_COMMON = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
           "recurrent_initializer", "bias_initializer", "dropout", "recurrent_dropout",
           "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
           "kernel_constraint", "recurrent_constraint", "bias_constraint")


class _CellRNN(RNN):
    cell_class = None
    cell_name = None

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, name=None,
                 trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, seed=None, implementation=None,
                 **cell_kwargs):
        # `seed` (dropout draws come from the `rng` of apply/fit) and `implementation` (XLA
        # fuses either way) are accepted for source compatibility and have no effect.
        activity_regularizer = cell_kwargs.pop("activity_regularizer", None)  # the RNN's own
        cell = self.cell_class(units, name=self.cell_name, trainable=trainable, dtype=dtype,
                               **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, name=name,
                         trainable=trainable, dtype=dtype, input_shape=input_shape,
                         input_dim=input_dim, batch_input_shape=batch_input_shape,
                         batch_size=batch_size, activity_regularizer=activity_regularizer)
        self.seed = seed  # only reported by get_config, as Keras's

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell = {k: v for k, v in self.cell.get_config().items()
                if k not in ("name", "trainable", "dtype")}
        cell["seed"] = self.seed
        regularizers = {k: v for k, v in cell.items() if k.endswith("_regularizer")}
        activity = config_utils.nested(self.activity_regularizer)
        return {**config, **cell, **regularizers, "activity_regularizer": activity,
                **{k: v for k, v in cell.items() if k.endswith("_constraint")}}


@_delegate(*_COMMON)
class SimpleRNN(_CellRNN):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`."""
    cell_class, cell_name = SimpleRNNCell, "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, **kwargs):
        kwargs.pop("recurrent_activation", None)  # from get_config: SimpleRNN has none
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has none (its cell's has)
        return config


@_delegate(*_COMMON, "unit_forget_bias")
class LSTM(_CellRNN):
    """Long Short-Term Memory (Hochreiter 1997); states [h, c]."""
    cell_class, cell_name = LSTMCell, "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0,
                 recurrent_dropout=0.0, use_cudnn="auto", **kwargs):
        _check_cudnn(use_cudnn)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)


@_delegate(*_COMMON, "reset_after")
class GRU(_CellRNN):
    """Gated Recurrent Unit (Cho 2014); reset_after=True is Keras's (and cuDNN's) variant."""
    cell_class, cell_name = GRUCell, "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 use_cudnn="auto", **kwargs):
        _check_cudnn(use_cudnn)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, reset_after=reset_after, **kwargs)


def _check_cudnn(use_cudnn):
    # Accepted for source compatibility; XLA picks the kernels.
    if use_cudnn not in ("auto", True, False):
        raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                         f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}")


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Runs a copy of `layer` forwards and another backwards, and merges their outputs."""

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, RNN):
            raise ValueError("Please initialize `Bidirectional` layer with a recurrent layer "
                             f"(jkeras.layers.LSTM, GRU, SimpleRNN or RNN). Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, RNN):
            raise ValueError("`backward_layer` need to be a recurrent layer instance. "
                             f"Received: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be "
                             'one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        # Keras rebuilds both directions from the layer's config; the layer itself is unused.
        self.forward_layer = layer._clone(name="forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            backward_layer = layer._clone(name="backward_" + _strip(layer.name, "backward_"),
                                          go_backwards=True)
        self.backward_layer = backward_layer
        self._verify()
        for rnn in (self.forward_layer, self.backward_layer):
            # Keras: zero outputs at masked steps so the merged directions do not mix.
            rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def __call__(self, *args, **kwargs):
        if self.stateful:
            check_static_batch(self, args, kwargs)
        return super().__call__(*args, **unwrap_initial_state(kwargs))

    def reset_state(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        # Compatibility alias, as Keras 3's.
        self.reset_state()

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def get_config(self):
        from jkeras.core.serialization import serialize_keras_object
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    def _verify(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             f"`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{fwd.go_backwards}, backward_layer.go_backwards={bwd.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(fwd, attr), getattr(bwd, attr)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the same "
                                 f'value for attribute "{attr}", got "{a}" for forward layer and '
                                 f'"{b}" for backward layer')

    def call(self, sequences, initial_state=None, mask=None, training=None):
        check_input_spec(self, (sequences,))
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = _first(mask)
        fwd_state = bwd_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fwd_state, bwd_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=fwd_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)  # back to input time order
        if self.merge_mode == "concat":
            output = jnp.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output + states) if self.merge_mode is None else (output,) + states
        return output

    def compute_mask(self, inputs, mask=None):
        mask = _first(mask)
        if self.return_sequences:
            output_mask = (mask, mask) if self.merge_mode is None else mask
        else:
            output_mask = (None, None) if self.merge_mode is None else None
        if self.return_state:
            n = 2 * len(self.forward_layer.state_size)
            head = list(output_mask) if self.merge_mode is None else [output_mask]
            return head + [None] * n
        return output_mask


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name

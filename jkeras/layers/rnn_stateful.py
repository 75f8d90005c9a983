"""Keras 3's `stateful=True` for recurrent layers: the last states of one batch start the next.

Keras keeps them in non-trainable variables named `rnn_state` that are not among the layer's
weights (not in `weights`, not saved). Here they are the layer's held `states` (jkeras Variables,
path `<layer>/rnn_state`) and, in the pure core, entries `rnn_state`, `rnn_state_1`, ... of the
layer's `state` dict: `apply` reads them as the initial states and returns the final states as
new state, so eager calls, `jit` and the compiled `fit` loop carry them from batch to batch.
"""
import jax
import jax.numpy as jnp

from jkeras import initializers
from jkeras.core import frame as frames
from jkeras.core.symbolic import KerasTensor
from jkeras.core.variable import Variable


def state_key(i):
    return "rnn_state" if i == 0 else f"rnn_state_{i}"


def _state_keys(state):
    keys, i = [], 0
    while state_key(i) in state:
        keys.append(state_key(i))
        i += 1
    return keys


def check_static_batch(layer, args, kwargs):
    """Keras's error for a stateful layer built on inputs whose batch size is unknown."""
    sequences = args[0] if args else kwargs.get("sequences", kwargs.get("inputs"))
    leaves = jax.tree_util.tree_leaves(sequences, is_leaf=lambda v: isinstance(v, KerasTensor))
    for leaf in leaves:
        if isinstance(leaf, KerasTensor) and leaf.shape and leaf.shape[0] is None:
            raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                             f"static. Found dynamic batch size: sequence.shape={leaf.shape}")


def unwrap_initial_state(kwargs):
    """`initial_state=other_layer.states` (held Variables) passes their values, as Keras."""
    states = kwargs.get("initial_state")
    if isinstance(states, (list, tuple)) and any(isinstance(s, Variable) for s in states):
        kwargs = dict(kwargs, initial_state=[s.value if isinstance(s, Variable) else s
                                             for s in states])
    elif isinstance(states, Variable):
        kwargs = dict(kwargs, initial_state=states.value)
    return kwargs


class StatefulMixin:
    """For RNN-like layers with a `stateful` attribute. `call` gets its initial states from
    `stateful_states(batch, make)` and hands its final states to `store_states(final)`."""

    @property
    def states(self):
        """The held states (Keras's `layer.states`): Variables, or None if not stateful or not
        built yet."""
        held = self.__dict__.get("_rnn_states")
        return None if held is None else list(held)

    def reset_state(self):
        held = self.__dict__.get("_rnn_states")
        for var in held or ():
            var.assign(jnp.zeros(var.shape, var.dtype))

    def reset_states(self):
        # Compatibility alias, as Keras 3's.
        self.reset_state()

    def __call__(self, *args, **kwargs):
        if getattr(self, "stateful", False):
            check_static_batch(self, args, kwargs)
        return super().__call__(*args, **unwrap_initial_state(kwargs))

    def stateful_states(self, batch, make):
        """The initial states of a stateful call: the held ones (from this call's variables),
        or `make(batch)` (zeros) when the layer is being created."""
        frame = frames.frame_of(self)
        keys = _state_keys(frame.state) if frame is not None else []
        if not keys:
            states = list(make(batch))
            if frame is not None:  # being created: the held states start at these
                self._put_states(frame, states)
            return states
        states = [frame.state[k] for k in keys]
        expected = states[0].shape[0]
        if batch != expected:
            raise ValueError("If an RNN is stateful, the batch size of the input sequences must "
                             "be the same as the batch size of the initial state. \n"
                             f"- Expected batch size: {expected}\n"
                             f"- Received batch size: {batch}")
        return states

    def store_states(self, final):
        frame = frames.frame_of(self)
        if frame is not None and frame.init_key is None:  # `init` keeps the initial states
            self._put_states(frame, final)

    def _put_states(self, frame, values):
        for i, value in enumerate(values):
            frame.assign_state(state_key(i), jnp.asarray(value, self.variable_dtype))

    def get_variables(self):
        variables = super().get_variables()
        held = self.__dict__.get("_rnn_states")
        if not held:
            return variables
        state = dict(variables["state"])
        state.update({state_key(i): var.value for i, var in enumerate(held)})
        return {"params": variables["params"], "state": state}

    def _assign_tree(self, variables, only_unbuilt, state_only=False):
        skip = only_unbuilt and self.built
        super()._assign_tree(variables, only_unbuilt, state_only)
        state = variables.get("state", {})
        keys = _state_keys(state)
        if skip or not keys or not getattr(self, "stateful", False):
            return
        held = self.__dict__.get("_rnn_states")
        values = [state[k] for k in keys]
        if held is None or [v.shape for v in held] != [tuple(jnp.shape(x)) for x in values]:
            held = [Variable(self, "rnn_state", jnp.shape(x), self.variable_dtype,
                             initializers.get("zeros"), False) for x in values]
            self.__dict__["_rnn_states"] = held
        for var, value in zip(held, values):
            var.assign(value)

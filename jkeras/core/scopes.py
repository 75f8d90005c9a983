"""Keras 3's `StatelessScope` and `SymbolicScope`.

Inside `with StatelessScope(state_mapping=[(variable, value), ...]) as scope:` reading a mapped
variable gives the mapped value, `variable.assign(...)` is recorded in the scope instead of
changing the variable (`scope.get_current_value(variable)` returns it), and with
`collect_losses=True` the values layers give `add_loss` are gathered in `scope.losses`. A
layer's eager call reads its weights through `.value` and writes its new state through
`assign`, so `layer(x)` inside the scope runs on the mapped values and leaves the layer as it
was. `SymbolicScope` marks the symbolic stage (shape inference), as in Keras.
"""
import threading

import jax.numpy as jnp

from jkeras.core.scoped import ScopeStack

_local = threading.local()
_pending = ScopeStack()  # variables made inside a stateless scope, to initialize at its end


def get_stateless_scope():
    return getattr(_local, "stateless", None)


def in_stateless_scope():
    return get_stateless_scope() is not None


def get_symbolic_scope():
    return getattr(_local, "symbolic", None)


def in_symbolic_scope():
    return get_symbolic_scope() is not None


def _is_variable(obj):
    return hasattr(obj, "assign") and hasattr(obj, "value") and hasattr(obj, "shape")


def register_uninitialized_variable(variable):
    """A variable created inside a stateless scope, to be initialized when it ends."""
    _pending.items.append(variable)


def initialize_all_variables():
    pending, _pending.items = _pending.items, []
    for variable in pending:
        variable._deferred_initialize()


class StatelessScope:
    """Scope to prevent any update to Keras Variables.

    Args:
        state_mapping: list of `(variable, value)` pairs: the values the variables read as
            inside the scope.
        collect_losses: gather the values given to `add_loss` in `scope.losses`.
        initialize_variables: give variables created inside the scope (from an initializer)
            their value when the outermost scope exits.
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self.state_mapping = {}
        for k, v in state_mapping or {}:
            if not _is_variable(k):
                raise ValueError(
                    "Invalid reference variable in StatelessScope: all keys in argument "
                    f"`mapping` must be Variable instances. Received instead: {k}")
            v = jnp.asarray(v.value if _is_variable(v) else v, dtype=k.dtype)
            if tuple(k.shape) != tuple(v.shape):
                raise ValueError(
                    "Invalid variable value in StatelessScope: all values in argument "
                    "`mapping` must be tensors with a shape that matches the corresponding "
                    f"variable shape. For variable {k}, received invalid value {v} with shape "
                    f"{v.shape}.")
            self.state_mapping[id(k)] = v

    def __enter__(self):
        self.original_scope = get_stateless_scope()
        _local.stateless = self
        return self

    def add_loss(self, loss):
        self.losses.append(loss)

    def add_update(self, update):
        variable, value = update
        self.state_mapping[id(variable)] = value

    def get_current_value(self, variable):
        return self.state_mapping.get(id(variable), None)

    def __exit__(self, *exc):
        _local.stateless = self.original_scope
        if self.original_scope is None and self.initialize_variables:
            # back in eager mode: variables created inside the scope get their values
            initialize_all_variables()


class SymbolicScope:
    """Scope to indicate the symbolic stage."""

    def __enter__(self):
        self.original_scope = get_symbolic_scope()
        _local.symbolic = self
        return self

    def __exit__(self, *exc):
        _local.symbolic = self.original_scope

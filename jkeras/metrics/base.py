"""Metric protocol: pure `init` / `update` / `result_from` plus the Keras stateful facade.

The jitted training loop only uses the pure half: `state = m.init()`,
`state = m.update(state, y_true, y_pred, sample_weight)`, `m.result_from(state)`.
States are dicts of float32 scalars, so they stack, scan and donate like any pytree.
"""
import jax
import jax.numpy as jnp

from jkeras.core.config_object import ConfigObject
from jkeras.core.function_wrapper_config import wrapper_config, wrapper_from_config
from jkeras.metrics import metric_variables
from jkeras.losses import apply_mask, call_with_mask, squeeze_or_expand_to_same_rank, to_snake_case


def _zero():
    return jnp.zeros((), jnp.float32)


def _divide_no_nan(a, b):
    return jnp.where(b == 0, jnp.zeros_like(a), a / jnp.where(b == 0, jnp.ones_like(b), b))


class Metric(ConfigObject):
    """Base class. Subclasses define `init`, `update` and `result_from` (all pure)."""

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = jnp.dtype(dtype or "float32").name
        self._state = None

    # --- Keras 3's custom-metric form (metric_variables.py)
    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A variable of this metric (Keras 3): update it with `assign_add` in
        `update_state`, read it in `result`. `aggregation` is accepted for compatibility."""
        del aggregation
        var = metric_variables.MetricVariable(self.name, name, shape, dtype or self.dtype,
                                              initializer)
        self.__dict__.setdefault("_added_variables", []).append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    def _keras_style(self):
        return bool(self.__dict__.get("_added_variables")) and \
            type(self).update_state is not Metric.update_state

    # --- pure protocol
    def init(self):
        added = self.__dict__.get("_added_variables")
        if added:
            return tuple(v.initial_value() for v in added)
        raise TypeError(f"Metric subclass {type(self).__name__} must implement `init()` (or "
                        "create its state with `self.add_variable(...)` in `__init__`).")

    def update(self, state, *args, **kwargs):
        if self._keras_style():
            added = self._added_variables
            with metric_variables.bound(added, state):
                type(self).update_state(self, *args, **kwargs)
                return metric_variables.values_of(added)
        raise TypeError(f"Metric subclass {type(self).__name__} must implement `update()` (or "
                        "`update_state()` over variables from `self.add_variable(...)`).")

    def result_from(self, state):
        if self._keras_style():
            with metric_variables.bound(self._added_variables, state):
                return metric_variables.as_array(type(self).result(self))
        raise TypeError(f"Metric subclass {type(self).__name__} must implement `result_from()`.")

    # --- Keras facade (stateful, eager)
    @property
    def state(self):
        if self._keras_style():
            return metric_variables.values_of(self._added_variables)
        if self._state is None:
            self._state = self.init()
        return self._state

    @state.setter
    def state(self, value):
        if self._keras_style():
            for var, v in zip(self._added_variables, value):
                var.assign(v)
        self._state = value

    @property
    def variables(self):
        """Keras's metric variables: handles with `.value` and `assign` (JAX takes each one as
        its value, so they can start the state of a jitted step)."""
        if self._keras_style():
            return list(self._added_variables)
        return metric_variables.state_variables(self)

    def update_state(self, *args, **kwargs):
        self._state = self.update(self.state, *args, **kwargs)

    def result(self):
        return self.result_from(self.state)

    def reset_state(self):
        self.state = self.init()

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # --- Keras 3's stateless API: the state as a list of arrays (`metric.variables` order)
    def _as_state(self, values):
        treedef = jax.tree_util.tree_structure(self.init())
        values = [metric_variables.value_of(v) for v in values]
        if len(values) != treedef.num_leaves:
            raise ValueError(
                f"Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}('{self.name}').variables. Received list with length "
                f"{len(values)}, but expected {treedef.num_leaves} variables.")
        return jax.tree_util.tree_unflatten(treedef, values)

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """-> the new `metric_variables` (a list) after `update_state(*args, **kwargs)`."""
        return jax.tree_util.tree_leaves(
            self.update(self._as_state(metric_variables), *args, **kwargs))

    def stateless_result(self, metric_variables):
        return self.result_from(self._as_state(metric_variables))

    def stateless_reset_state(self):
        """-> the variables of a freshly reset metric (a list)."""
        return jax.tree_util.tree_leaves(self.init())

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, mask=None):
    """Keras's helper: one value per sample (axis 0), weights broadcast to match.

    As in Keras, a mask (from `ignore_class`) only takes effect when weights are given."""
    values = jnp.asarray(values, jnp.float32)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, jnp.float32)
        sample_weight = apply_mask(sample_weight, mask, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.ndim, values.ndim
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=tuple(range(w_ndim, v_ndim)))
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def init(self):
        return {"total": _zero()}

    def update(self, state, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, jnp.sum)
        return {"total": state["total"] + jnp.sum(values)}

    def result_from(self, state):
        return state["total"]


class Mean(Metric):
    """Weighted mean of `values`; without weights every sample (axis 0) counts once."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def init(self):
        return {"total": _zero(), "count": _zero()}

    def update(self, state, values, sample_weight=None, _mask=None):
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, jnp.mean, _mask)
        if sample_weight is not None:
            n = jnp.sum(sample_weight)
        else:
            n = values.shape[0] if values.ndim >= 1 else 1
        return {"total": state["total"] + jnp.sum(values),
                "count": state["count"] + jnp.asarray(n, jnp.float32)}

    def result_from(self, state):
        return _divide_no_nan(state["total"], state["count"])


class MeanMetricWrapper(Mean):
    """Mean of `fn(y_true, y_pred, **kwargs)` over samples.

    Keras names an unnamed wrapper "mean_metric_wrapper"; we take the function's name,
    which is what compile() logs for a plain function anyway."""

    known_functions = {}  # name -> metric function, for from_config (filled by jkeras.metrics)

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
                         dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update(self, state, y_true, y_pred, sample_weight=None, logits=None):
        """`logits`: pre-activation of a softmax/sigmoid y_pred; crossentropy metrics then
        use them, as tf.keras does (see jkeras.losses.call_with_mask)."""
        values, mask = call_with_mask(self._fn, jnp.asarray(y_true), jnp.asarray(y_pred),
                                      None if logits is None else jnp.asarray(logits),
                                      **self._fn_kwargs)
        return super().update(state, values, sample_weight, _mask=mask)

    def get_config(self):
        return wrapper_config(super().get_config(), self._fn, self._fn_kwargs)

    @classmethod
    def from_config(cls, config):
        return wrapper_from_config(cls, config, MeanMetricWrapper.known_functions)


class _FixedFn(MeanMetricWrapper):
    """A MeanMetricWrapper whose config is just its named constructor arguments."""
    _args = ()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **{k: getattr(self, k) for k in self._args}}

    from_config = classmethod(Metric.from_config.__func__)

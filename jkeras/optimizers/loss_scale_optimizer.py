"""LossScaleOptimizer as keras/src/optimizers/loss_scale_optimizer.py: dynamic loss scaling.

The loss is multiplied by `dynamic_scale` before differentiation (the training step calls
`scale_loss_for_state(loss, opt_state)`); `update` then
- with all gradients finite: divides them by the scale the loss was multiplied with and runs
  the inner optimizer; the scale doubles (and `step_counter` restarts) once `step_counter`
  reaches `dynamic_growth_steps - 1`, else `step_counter` += 1;
- with any inf/NaN gradient: leaves the variables and the inner state (its iterations too)
  alone, halves the scale and restarts `step_counter`.

opt_state is an `OptimizerState` whose iterations / learning_rate are the inner optimizer's,
with slots {"inner": the inner state's slots, "step_counter": int32, "dynamic_scale": float32};
`inner_state(opt_state)` gives the inner optimizer's own state. Keras's variable order (and the
`.weights.h5` layout) is: iteration and learning_rate (of this wrapper, always 0), step_counter,
dynamic_scale, then the inner optimizer's variables.
"""

import jax
import jax.numpy as jnp
from jax import lax

from jkeras.optimizers import nested
from jkeras.optimizers.base import Optimizer, OptimizerState

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}


class _Delegated:
    """An attribute read from the inner optimizer; assignments before it exists (the base
    constructor's defaults) are dropped, later ones go to the inner optimizer."""

    def __init__(self, name, default):
        self.name, self.default = name, default

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        inner = obj.__dict__.get("inner_optimizer")
        return self.default if inner is None else getattr(inner, self.name)

    def __set__(self, obj, value):
        inner = obj.__dict__.get("inner_optimizer")
        if inner is not None:
            setattr(inner, self.name, value)


class LossScaleOptimizer(Optimizer):
    """Wraps `inner_optimizer` with dynamic loss scaling (see the module docstring)."""

    _learning_rate = _Delegated("_learning_rate", 0.0)
    scales_from_state = True  # `scale_loss_for_state` reads the (traced) optimizer state
    use_ema = _Delegated("use_ema", False)

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. "
                "Instead, simply set `loss_scale_factor` directly on the "
                "`inner_optimizer`."
            )
        for arg_name, default_value in _BASE_DEFAULTS.items():
            if arg_name not in kwargs:
                continue
            arg_value = kwargs.pop(arg_name)
            if (default_value is None and arg_value is not None) or arg_value != default_value:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{arg_name}`. "
                    f"Instead, set `{arg_name}` on the `inner_optimizer`."
                )
        if kwargs:
            raise ValueError(
                "LossScaleOptimizer does not support arguments: "
                f"`{'`, `'.join(kwargs.keys())}`."
            )
        if not isinstance(inner_optimizer, Optimizer) or \
                isinstance(inner_optimizer, LossScaleOptimizer):
            raise TypeError(
                "LossScaleOptimizer expects `inner_optimizer` to be a jkeras optimizer "
                "instance other than a LossScaleOptimizer (e.g. `jkeras.optimizers.Adam()`). "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # As Keras: the inner optimizer must not scale the gradients a second time.
        self.inner_optimizer.loss_scale_factor = None

    # ----- state --------------------------------------------------------------------------
    def init(self, params):
        inner = self.inner_optimizer.init(params)
        slots = {"inner": inner.slots, "step_counter": jnp.zeros((), jnp.int32),
                 "dynamic_scale": jnp.asarray(self.initial_scale, jnp.float32)}
        return OptimizerState(inner.iterations, inner.learning_rate, slots)

    @staticmethod
    def inner_state(state):
        """The inner optimizer's own state inside this optimizer's `state`."""
        return OptimizerState(state.iterations, state.learning_rate, state.slots["inner"])

    def sync_state(self, state):
        inner = self.inner_optimizer.sync_state(self.inner_state(state))
        return state._replace(learning_rate=inner.learning_rate)

    def _update(self, grads, state, params, decay_mask):
        finite = jnp.all(jnp.asarray(
            [jnp.all(jnp.isfinite(g)) for g in jax.tree_util.tree_leaves(grads)] or [True]))
        counter, scale = state.slots["step_counter"], state.slots["dynamic_scale"]

        def apply_finite(grads):
            unscaled = jax.tree_util.tree_map(lambda g: g / scale.astype(jnp.asarray(g).dtype),
                                              grads)
            updates, inner = self.inner_optimizer._update(unscaled, self.inner_state(state),
                                                          params, decay_mask)
            grow = counter == self.dynamic_growth_steps - 1
            return updates, inner, jnp.where(grow, 0, counter + 1), \
                jnp.where(grow, scale * 2.0, scale)

        def skip(grads):
            updates = jax.tree_util.tree_map(jnp.zeros_like, grads)
            return updates, self.inner_state(state), jnp.zeros_like(counter), scale * 0.5

        updates, inner, counter, scale = lax.cond(finite, apply_finite, skip, grads)
        slots = {"inner": inner.slots, "step_counter": counter, "dynamic_scale": scale}
        return updates, OptimizerState(inner.iterations, inner.learning_rate, slots)

    # ----- the loss scale -----------------------------------------------------------------
    def scale_loss(self, loss):
        """Keras's `scale_loss`: the loss times the current dynamic scale (the initial scale
        before the optimizer has a state)."""
        state = self._last_state
        scale = self.initial_scale if state is None else state.slots["dynamic_scale"]
        return loss * scale

    def scale_loss_for_state(self, loss, state):
        return loss * state.slots["dynamic_scale"].astype(jnp.asarray(loss).dtype)

    @property
    def dynamic_scale(self):
        """The current loss scale (float32), from the last state this object saw."""
        state = self._last_state
        return jnp.float32(self.initial_scale) if state is None else \
            state.slots["dynamic_scale"]

    @property
    def step_counter(self):
        state = self._last_state
        return jnp.int32(0) if state is None else state.slots["step_counter"]

    # ----- what the inner optimizer owns ---------------------------------------------------
    def _share_state(self, state):
        inner = self.__dict__.get("inner_optimizer")
        if inner is not None:
            inner.set_state(None if state is None else self.inner_state(state), self)

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value
        self._reset_jit()

    def _variable_decays(self, var):
        return self.inner_optimizer._variable_decays(var)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        self.inner_optimizer.exclude_from_weight_decay(var_list, var_names)
        self._reset_jit()

    def finalize_params(self, params, opt_state):
        return self.inner_optimizer.finalize_params(params, self.inner_state(opt_state))

    def finalize_variable_values(self, var_list):
        inner = self.inner_optimizer
        if inner.use_ema and self._imp_state is not None:
            averages = self._imp_state.slots["inner"]["average"]
            for var in var_list:
                i = self._imp_index.get(id(var))
                if i is not None:
                    var.assign(averages[i])

    def _select_slots(self, slots, idx):
        return {**slots, "inner": self.inner_optimizer._select_slots(slots["inner"], idx)}

    def _merge_slots(self, slots, new_slots, idx):
        inner = self.inner_optimizer._merge_slots(slots["inner"], new_slots["inner"], idx)
        return {**new_slots, "inner": inner}

    # ----- config ---------------------------------------------------------------------------
    def get_config(self):
        return {"name": self.name, "inner_optimizer": nested.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = nested.deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)

    def __repr__(self):
        return f"<LossScaleOptimizer name={self.name!r} inner={self.inner_optimizer!r}>"

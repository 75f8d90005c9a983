"""Wrap any `optax.GradientTransformation` so it fits the jkeras optimizer interface.

The wrapped transform keeps its own state in `opt_state.slots`; `iterations` is counted
alongside. Its learning rate is whatever the transform closed over: it cannot be read or
changed by callbacks (LearningRateScheduler / ReduceLROnPlateau), `opt_state.learning_rate`
is None and the `learning_rate` attribute is absent. Use a jkeras optimizer (or build the
transform with `optax.inject_hyperparams` and edit its state yourself) if you need that.
"""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer, OptimizerState


class OptaxOptimizer(Optimizer):
    def __init__(self, transform, name=None):
        super().__init__(learning_rate=0.0, name=name)
        self._learning_rate = None
        self.transform = transform

    def init(self, params):
        return OptimizerState(jnp.zeros((), jnp.int32), None, self.transform.init(params))

    def update(self, updates, state, params=None, **extra_args):
        if extra_args:
            updates, inner = self.transform.update(updates, state.slots, params, **extra_args)
        else:
            updates, inner = self.transform.update(updates, state.slots, params)
        return updates, OptimizerState(state.iterations + 1, None, inner)

    def _update(self, grads, state, params, decay_mask):
        return self.update(grads, state, params)

    @property
    def learning_rate(self):
        # AttributeError makes `hasattr(opt, "learning_rate")` False, which is what
        # Keras's LearningRateScheduler checks before raising its own clear error.
        raise AttributeError(
            "This optimizer wraps an optax.GradientTransformation; its learning rate "
            "is fixed inside the transform and cannot be read or set."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise TypeError(
            "This optimizer wraps an optax.GradientTransformation; its learning rate "
            "cannot be changed. Use a jkeras optimizer to schedule the learning rate."
        )

    def current_learning_rate(self, state):
        raise TypeError("A wrapped optax transform has no readable learning rate.")

    def sync_state(self, state):
        return state

    # The wrapped state is opaque, so the imperative path must update every variable.
    def _select_slots(self, slots, idx):
        if idx != tuple(range(len(self._imp_vars))):
            raise ValueError(
                "An optimizer wrapping an optax transform must receive gradients for "
                "all of its variables, in the order of the first call."
            )
        return slots

    def _merge_slots(self, slots, new_slots, idx):
        return new_slots

    def get_config(self):
        raise TypeError(
            "An optimizer wrapping an optax.GradientTransformation is not serializable."
        )

    def __repr__(self):
        return f"<OptaxOptimizer name={self.name!r} transform={self.transform!r}>"

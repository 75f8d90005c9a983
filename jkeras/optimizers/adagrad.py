"""Adagrad as keras/src/optimizers/adagrad.py."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Adagrad(Optimizer):
    """acc += g² (acc starts at initial_accumulator_value);  w -= lr*g / sqrt(acc + eps).
    Slot: "accumulator"."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        # The shared arguments (weight_decay, clipnorm, use_ema, ...) are Optimizer's.
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value)]

    def _update_leaf(self, g, slots, lr, shared):
        acc = slots["accumulator"] + g * g
        return -((lr * g) / jnp.sqrt(acc + self.epsilon)), {"accumulator": acc}

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config

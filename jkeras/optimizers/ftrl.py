"""FTRL-Proximal as keras/src/optimizers/ftrl.py."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Ftrl(Optimizer):
    """n' = n + g²;  z += g + 2·l2_shrinkage·w - (n'^-p - n^-p)/lr · w   (p = lr power);
    w = (clip(z, -l1, l1) - z) / (n'^-p / lr + 2·(l2 + beta / (2·lr)));  n = n'.
    Slots: "accumulator" (starts at initial_accumulator_value), "linear" (interleaved
    per variable). Keras assigns w; jkeras returns the update (new w - w), so `w + update`
    can differ from Keras by float32 rounding at the scale of the old w. The base options (weight_decay, clipnorm, use_ema, ...) are keywords
    of `Optimizer`."""

    _needs_params = True

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for value, arg, need in (
                (initial_accumulator_value, "initial_accumulator_value", "positive or zero"),
                (-learning_rate_power, "learning_rate_power", "negative or zero"),
                (l1_regularization_strength, "l1_regularization_strength", "positive or zero"),
                (l2_regularization_strength, "l2_regularization_strength", "positive or zero")):
            if value < 0.0:
                shown = -value if arg == "learning_rate_power" else value
                raise ValueError(f"`{arg}` needs to be {need}. Received: {arg}={shown}.")
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError(
                "`l2_shrinkage_regularization_strength` needs to be positive "
                "or zero. Received: l2_shrinkage_regularization_strength"
                f"={l2_shrinkage_regularization_strength}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value), ("linear", 0.0)]

    def _slot_groups(self):
        return [["accumulator", "linear"]]

    def _update_leaf_var(self, g, p, slots, lr, shared):
        accum, linear = slots["accumulator"], slots["linear"]
        power = self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = g + (2 * self.l2_shrinkage_regularization_strength) * p
        new_accum = accum + g * g
        linear = linear + (grad_to_use - (
            (jnp.power(new_accum, -power) - jnp.power(accum, -power)) / lr) * p)
        quadratic = jnp.power(new_accum, -power) / lr + 2 * l2_reg
        new = (jnp.clip(linear, -l1, l1) - linear) / quadratic
        return new - p, {"accumulator": new_accum, "linear": linear}

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config

"""Adadelta as keras/src/optimizers/adadelta.py."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """G = rho·G + (1 - rho)·g²;  d = -sqrt(D + eps)·g / sqrt(G + eps);
    D = rho·D + (1 - rho)·d²;  w += lr·d.
    Slots: "accumulated_grad", "accumulated_delta_var" (interleaved per variable). The
    base options (weight_decay, clipnorm, use_ema, ...) are keywords of `Optimizer`."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def _slot_groups(self):
        return [["accumulated_grad", "accumulated_delta_var"]]

    def _update_leaf(self, g, slots, lr, shared):
        rho = self.rho
        rms = lambda x: jnp.sqrt(x + self.epsilon)
        acc_g = rho * slots["accumulated_grad"] + (1 - rho) * (g * g)
        delta = -((rms(slots["accumulated_delta_var"]) * g) / rms(acc_g))
        acc_d = rho * slots["accumulated_delta_var"] + (1 - rho) * (delta * delta)
        return lr * delta, {"accumulated_grad": acc_g, "accumulated_delta_var": acc_d}

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config

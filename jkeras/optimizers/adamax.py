"""Adamax as keras/src/optimizers/adamax.py (Adam with the infinity norm)."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Adamax(Optimizer):
    """m += (g - m)(1 - beta_1);  u = max(beta_2·u, |g|);
    w -= lr·m / ((1 - beta_1**t)(u + epsilon)),  t = iterations + 1.
    Slots: "momentum", "norm" (interleaved per variable). The base options
    (weight_decay, clipnorm, use_ema, ...) are keywords of `Optimizer`."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("momentum", 0.0), ("norm", 0.0)]

    def _slot_groups(self):
        return [["momentum", "norm"]]

    def _prepare(self, lr, iterations):
        t = (iterations + 1).astype(jnp.float32)
        return jnp.power(jnp.float32(self.beta_1), t)

    def _update_leaf(self, g, slots, lr, beta_1_power):
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - self.beta_1)
        u = jnp.maximum(self.beta_2 * slots["norm"], jnp.abs(g))
        delta = (lr * m) / ((1 - beta_1_power.astype(g.dtype)) * (u + self.epsilon))
        return -delta, {"momentum": m, "norm": u}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config

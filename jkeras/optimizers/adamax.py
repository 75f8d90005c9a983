"""Adamax as keras/src/optimizers/adamax.py (Adam with the infinity norm)."""

import jax.numpy as jnp

from jkeras.optimizers.betas import BetasOptimizer


class Adamax(BetasOptimizer):
    """m += (g - m)(1 - beta_1);  u = max(beta_2·u, |g|);
    w -= lr·m / ((1 - beta_1**t)(u + epsilon)),  t = iterations + 1.
    Slots: "momentum", "norm" (interleaved per variable)."""

    _slot_names = ("momentum", "norm")

    def _prepare(self, lr, iterations):
        t = (iterations + 1).astype(jnp.float32)
        return jnp.power(jnp.float32(self.beta_1), t)

    def _update_leaf(self, g, slots, lr, beta_1_power):
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - self.beta_1)
        u = jnp.maximum(self.beta_2 * slots["norm"], jnp.abs(g))
        delta = (lr * m) / ((1 - beta_1_power.astype(g.dtype)) * (u + self.epsilon))
        return -delta, {"momentum": m, "norm": u}

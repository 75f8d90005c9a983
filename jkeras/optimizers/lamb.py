"""Lamb as keras/src/optimizers/lamb.py (Adam scaled by a per-variable trust ratio)."""

import jax.numpy as jnp

from jkeras.optimizers.betas import BetasOptimizer


class Lamb(BetasOptimizer):
    """m, v as Adam;  u = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon);
    ratio = ||w|| / ||u|| (1 when either norm is 0);  w -= ratio·lr·u.
    Slots: "momentum", "velocity" (interleaved per variable)."""

    _needs_params = True

    def _prepare(self, lr, iterations):
        t = (iterations + 1).astype(jnp.float32)
        return (jnp.power(jnp.float32(self.beta_1), t), jnp.power(jnp.float32(self.beta_2), t))

    def _update_leaf_var(self, g, p, slots, lr, powers):
        beta_1_power, beta_2_power = (x.astype(g.dtype) for x in powers)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - self.beta_1)
        v = slots["velocity"] + (g * g - slots["velocity"]) * (1 - self.beta_2)
        update = (m / (1.0 - beta_1_power)) / (
            jnp.sqrt(v / (1.0 - beta_2_power)) + self.epsilon)
        w_norm = jnp.sqrt(jnp.sum(p ** 2))
        g_norm = jnp.sqrt(jnp.sum(update ** 2))
        ratio = jnp.where(w_norm > 0, jnp.where(g_norm > 0, w_norm / g_norm, 1.0), 1.0)
        return -(ratio * lr * update), {"momentum": m, "velocity": v}

"""ScheduleFreeAdamW as keras/src/optimizers/schedule_free_adamw.py (Defazio et al., 2024):
no learning-rate schedule, the iterate is an interpolation of an Adam-style sequence and its
running average."""

import jax.numpy as jnp

from jkeras.optimizers.betas import BetasOptimizer


def _copy_of_variable(p):
    return jnp.array(p, copy=True)


class ScheduleFreeAdamW(BetasOptimizer):
    """t = iterations + 1;  lr' = lr·min(t / warmup_steps, 1) (warmup_steps > 0);
    v += (g² - v)(1 - beta_2);  z = z_old - lr'·g / (sqrt(v / (1 - beta_2**t)) + epsilon);
    x_old = (y - (1 - beta_1)·z_old) / beta_1;  x = (1 - 1/t)·x_old + z/t;
    y = (1 - beta_1)·z + beta_1·x  (y is the variable).
    Slots: "momentum" (z, starting as a copy of the variable), "velocity" (interleaved per
    variable). Keras assigns y; jkeras returns the update (y_new - y)."""

    _needs_params = True

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, **kwargs)
        self.warmup_steps = warmup_steps

    def _slot_specs(self):
        return [("momentum", _copy_of_variable), ("velocity", 0.0)]

    def _prepare(self, lr, iterations):
        return (iterations + 1).astype(jnp.float32)

    def _update_leaf_var(self, g, p, slots, lr, t):
        t = t.astype(g.dtype)
        beta_1, beta_2 = jnp.asarray(self.beta_1, g.dtype), jnp.asarray(self.beta_2, g.dtype)
        if self.warmup_steps > 0:
            lr = lr * jnp.minimum(t / jnp.asarray(self.warmup_steps, g.dtype), 1.0)
        momentum_old = slots["momentum"]
        v = slots["velocity"] + (jnp.square(g) - slots["velocity"]) * (1 - beta_2)
        denom = jnp.sqrt(v / (1 - jnp.power(beta_2, t))) + jnp.asarray(self.epsilon, g.dtype)
        momentum = momentum_old - (lr * g) / denom
        weight = 1.0 / t
        x_old = (p - (1 - beta_1) * momentum_old) / beta_1
        x_new = (1 - weight) * x_old + weight * momentum
        y_new = (1 - beta_1) * momentum + beta_1 * x_new
        return y_new - p, {"momentum": momentum, "velocity": v}

    def get_config(self):
        config = super().get_config()
        config["warmup_steps"] = self.warmup_steps
        return config

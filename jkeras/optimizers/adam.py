"""Adam as keras/src/optimizers/adam.py (epsilon on the un-corrected sqrt(v)).

This is not optax.adam: Keras folds both bias corrections into the step size
    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t),   t = iterations + 1
and adds epsilon to sqrt(v) *before* correction, which differs noticeably for small
gradients.
"""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Adam(Optimizer):
    """m += (g - m)(1 - beta_1);  v += (g² - v)(1 - beta_2);
    amsgrad: v_hat = max(v_hat, v) replaces v;  w -= m * alpha / (sqrt(v) + epsilon).
    Slots: "momentum", "velocity" (+ "velocity_hat" with amsgrad)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        # The shared arguments (weight_decay, clipnorm, use_ema, ...) are Optimizer's.
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _slot_specs(self):
        specs = [("momentum", 0.0), ("velocity", 0.0)]
        return specs + [("velocity_hat", 0.0)] if self.amsgrad else specs

    def _slot_groups(self):
        # Keras: add_optimizer_variables(vars, ["momentum", "velocity"]), then velocity_hat.
        return [["momentum", "velocity"]] + [["velocity_hat"]] * self.amsgrad

    def _prepare(self, lr, iterations):
        t = (iterations + 1).astype(jnp.float32)
        beta_1_power = jnp.power(jnp.float32(self.beta_1), t)
        beta_2_power = jnp.power(jnp.float32(self.beta_2), t)
        return lr * jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)

    def _update_leaf(self, g, slots, lr, alpha):
        alpha = alpha.astype(g.dtype)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - self.beta_1)
        v = slots["velocity"] + (g * g - slots["velocity"]) * (1 - self.beta_2)
        new = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = jnp.maximum(slots["velocity_hat"], v)
            new["velocity_hat"] = v
        return -((m * alpha) / (jnp.sqrt(v) + self.epsilon)), new

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config

"""Lion as keras/src/optimizers/lion.py (the sign of an interpolated momentum)."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class Lion(Optimizer):
    """w -= lr·sign(beta_1·m + (1 - beta_1)·g);  m = beta_2·m + (1 - beta_2)·g.
    Slot: "momentum". The base options (weight_decay, clipnorm, use_ema, ...) are
    keywords of `Optimizer`."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}."
            )

    def _slot_specs(self):
        return [("momentum", 0.0)]

    def _update_leaf(self, g, slots, lr, shared):
        beta_1, beta_2 = jnp.asarray(self.beta_1, g.dtype), jnp.asarray(self.beta_2, g.dtype)
        m = slots["momentum"]
        delta = lr * jnp.sign(m * beta_1 + g * (1.0 - beta_1))
        return -delta, {"momentum": m * beta_2 + g * (1.0 - beta_2)}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config

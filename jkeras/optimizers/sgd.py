"""SGD with optional (Nesterov) momentum, as keras/src/optimizers/sgd.py."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum.

    momentum == 0:  w -= lr * g
    momentum > 0:   m = momentum * m - lr * g;  w += m
    nesterov:       m = momentum * m - lr * g;  w += momentum * m - lr * g
    Slot: "momentum" (only when momentum != 0).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        # The shared arguments (weight_decay, clipnorm, use_ema, ...) are Optimizer's.
        super().__init__(learning_rate=learning_rate, **kwargs)
        # Keras insists on a float in [0, 1]; we also accept ints in that range.
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) \
                or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def _slot_specs(self):
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def _update_leaf(self, g, slots, lr, shared):
        if self.momentum == 0:
            return -(g * lr), {}
        mom = jnp.asarray(self.momentum, g.dtype)
        m = slots["momentum"] * mom - g * lr
        delta = m * mom - g * lr if self.nesterov else m
        return delta, {"momentum": m}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config

"""RMSprop as keras/src/optimizers/rmsprop.py (epsilon inside the sqrt)."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """v = rho*v + (1-rho)*g²;  centered: a = rho*a + (1-rho)*g, denom = v - a² + eps,
    else denom = v + eps;  inc = lr*g / sqrt(denom);
    momentum > 0: mom = momentum*mom + inc, w -= mom;  else w -= inc.
    Slots: "velocity" (+ "momentum" when momentum > 0, + "average_gradient" if centered)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        # The shared arguments (weight_decay, clipnorm, use_ema, ...) are Optimizer's.
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_specs(self):
        specs = [("velocity", 0.0)]
        if self.momentum > 0:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def _update_leaf(self, g, slots, lr, shared):
        rho = self.rho
        v = rho * slots["velocity"] + (1 - rho) * (g * g)
        new = {"velocity": v}
        if self.centered:
            a = rho * slots["average_gradient"] + (1 - rho) * g
            new["average_gradient"] = a
            denominator = v - a * a + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = (lr * g) / jnp.sqrt(denominator)
        if self.momentum > 0:
            mom = self.momentum * slots["momentum"] + increment
            new["momentum"] = mom
            return -mom, new
        return -increment, new

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum,
                       "epsilon": self.epsilon, "centered": self.centered})
        return config

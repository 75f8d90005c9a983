"""The shared constructor and config of the Adam-like rules that take
(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7): Nadam, Adamax, Lamb."""

from jkeras.optimizers.base import Optimizer


class BetasOptimizer(Optimizer):
    """Subclasses set `_slot_names` (one `add_optimizer_variables` group, interleaved per
    variable) and the update rule. The base options (weight_decay, clipnorm, use_ema, ...)
    are keywords of `Optimizer`."""

    _slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_specs(self):
        return [(name, 0.0) for name in self._slot_names]

    def _slot_groups(self):
        return [list(self._slot_names)]

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config

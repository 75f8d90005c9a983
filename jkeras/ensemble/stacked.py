"""The ensemble's weights between calls: stacked on the device, written into members lazily.

After a `fit` the weights and optimizer states stay stacked (one array per weight, leading
member axis), so the next fit / evaluate / predict starts without restacking N models, and the
N member models are updated only when someone looks at them (`release()`, `write_members()`).
Handing a member model out drops the stacked copy: the user may change the model, so the
members are the truth again until the next fit.
"""
from jkeras.ensemble import vmapped


def _same_lr(a, b):
    return a is b or (isinstance(a, float) and isinstance(b, float) and a == b)


class StackedWeights:
    def __init__(self, models):
        self.models = models
        self.cache = None  # (variables, opt_state) stacked, or None: the members hold the truth
        self.lrs = None  # each member optimizer's learning rate, as synced into the cache
        self.stale = False  # the members hold older weights than the cache

    def _learning_rates(self):
        return [getattr(m.optimizer, "_learning_rate", None) for m in self.models]

    def current(self):
        """(variables, opt_state) stacked: what each member's own `fit` would start from (its
        weights, the optimizer state kept between fits or a fresh one after compile, with the
        optimizer object's learning rate synced in, as `ModelStore.new_state` does)."""
        if self.cache is not None and not all(
                _same_lr(a, b) for a, b in zip(self._learning_rates(), self.lrs)):
            self.release()  # a learning rate was set on an optimizer object: sync it in
        if self.cache is None:
            self.cache = (self.variables(), vmapped.stack([self._opt_state(m)
                                                           for m in self.models]))
            self.lrs = self._learning_rates()
        return self.cache

    @staticmethod
    def _opt_state(model):
        engine, opt = model.engine, model.optimizer
        state = engine.build_optimizer_state()  # on the trainable weights only, as a solo fit
        if hasattr(opt, "sync_state"):
            state = engine.opt_state = opt.sync_state(state)
        return state

    def variables(self):
        """The stacked `{"params", "state"}` (no optimizer needed: predict works uncompiled)."""
        if self.cache is not None:
            return self.cache[0]
        return vmapped.stack([m.get_variables() for m in self.models])

    def update(self, variables, opt_state):
        """The result of a fit: the cache now leads the members."""
        self.cache, self.stale = (variables, opt_state), True

    def write_members(self, variables=None, opt_state=None):
        """Member i gets slice i of the stacked weights and optimizer state (the cache's by
        default), as its own fit would have left them."""
        if variables is None:
            if not self.stale:
                return
            variables, opt_state = self.cache
        parts = vmapped.unstack((variables, opt_state), len(self.models))
        for m, (v, o) in zip(self.models, parts):
            m.set_variables(v)
            m.engine.opt_state = o
        self.stale = False

    def release(self):
        """The members become the truth (written first if they are behind)."""
        self.write_members()
        self.cache = None

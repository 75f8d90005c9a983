"""Keras's SwapEMAWeights: evaluate / predict (and, with swap_on_epoch, end each epoch) with
the optimizer's moving averages of the weights (an optimizer built with `use_ema=True`)."""

import numpy as np

from jkeras.training.callbacks.base import Callback


class SwapEMAWeights(Callback):
    """Puts the EMA weights into the model on `on_test_begin` / `on_predict_begin` (and on
    `on_epoch_end` with `swap_on_epoch=True`) and the trained weights back on
    `on_test_end` / `on_predict_end` (`on_epoch_begin`). After the last epoch the model keeps
    the EMA weights, as Keras's fit leaves them.

    Keras swaps the values of the weights and of the optimizer's averages; jkeras keeps the
    averages in the optimizer state untouched and remembers the trained weights instead, so a
    swap and its swap-back restore the weights exactly."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False
        self._trained = None

    def _averages(self, model):
        """The EMA value of each trainable weight, in `model.trainable_weights` order."""
        optimizer = getattr(model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(
                "SwapEMAWeights must be used when "
                "`use_ema=True` is set on the optimizer. "
                f"Received: use_ema={getattr(optimizer, 'use_ema', False)}"
            )
        weights = model.trainable_weights
        state = optimizer._last_state
        if state is None or "average" not in state.slots:
            raise ValueError(
                "SwapEMAWeights needs the optimizer's moving averages, which exist once the "
                "optimizer has been built (after the first training step)."
            )
        averages = state.slots["average"]
        if isinstance(averages, list):  # the `apply_gradients` path: one per built variable
            index = optimizer._imp_index
            return [None if id(w) not in index else averages[index[id(w)]] for w in weights]
        paths = model._variable_paths()
        return [_lookup(averages, paths.get(id(w), ())[1:]) for w in weights]

    def _swap_in(self):
        model = self.model  # syncs the weights of a running fit into the layers first
        averages = self._averages(model)
        weights = model.trainable_weights
        self._trained = [np.asarray(w.numpy()) for w in weights]
        for w, avg in zip(weights, averages):
            if avg is not None:
                w.assign(np.asarray(avg))
        self._ema_weights_in_model = True

    def _swap_out(self):
        model = self.model
        for w, value in zip(model.trainable_weights, self._trained):
            w.assign(value)
        self._trained = None
        self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params["epochs"] - 1:
                self._trained = None  # as Keras: fit ends with the EMA weights in the model
                self._ema_weights_in_model = False

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_in()

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_out()

    # predict sees the EMA weights just as evaluate does
    on_predict_begin = on_test_begin
    on_predict_end = on_test_end


def _lookup(tree, path):
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return None if isinstance(tree, dict) else tree

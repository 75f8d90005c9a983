"""`History`: what `fit` returns, and `model.history` afterwards."""

from jkeras.training.callbacks.base import Callback


class History(Callback):
    """Records each epoch's logs.

    Attributes:
        history: dict of lists, `{"loss": [...], "val_loss": [...], ...}`; kept across `fit`
            calls on the same instance, as in Keras.
        epoch: list of the epoch indices seen by the latest `fit` (reset at train begin).
        params: the params dict the loop passed (verbose, epochs, steps).
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        # Re-attached each epoch so model.history is the latest even if a callback replaced it.
        # `_model`, not `model`: setting an attribute needs no weight sync from the device.
        self._model.history = self

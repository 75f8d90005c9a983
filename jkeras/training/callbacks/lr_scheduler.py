"""`LearningRateScheduler` and `ReduceLROnPlateau`.

Both only read and assign `model.optimizer.learning_rate` (a float property on jkeras
optimizers); the loop copies the new value into the jitted optimizer state before the next epoch.
They reach the optimizer through `_model`, skipping `Callback.model`'s weight sync: the rate is
host-side state, and a device-to-host copy of all weights every epoch would be wasted.
"""


import numpy as np

from jkeras.training.callbacks.base import Callback
from jkeras.training.callbacks.monitor import MonitorCallback
from jkeras.training.progbar import print_msg


def _read_lr(optimizer):
    return float(np.asarray(optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """Sets the learning rate at each epoch begin to `schedule(epoch, lr)` (or `schedule(epoch)`).

    `epoch` is 0-based; the schedule must return a float. The rate in force is logged as
    `logs["learning_rate"]` at epoch end (so History and CSVLogger record it).
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _read_lr(optimizer))
        except TypeError:
            # One-argument schedules (the old API). As in Keras, any TypeError lands here.
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = self._update_optimizer_lr(self._model.optimizer, epoch)
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                f"learning rate to {learning_rate}."
            )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}  # as Keras: an empty dict is replaced, so nothing is added to it
        logs["learning_rate"] = _read_lr(self._model.optimizer)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    Keras 3 semantics: improvement means better than the best by more than `min_delta`; after a
    reduction, `cooldown` epochs pass in which waiting does not count; the rate never goes below
    `min_lr` and is not touched once it is at or below `min_lr` (compared in float32, as Keras).
    Logs `learning_rate` at each epoch end (before deciding, so it is the rate used that epoch).
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch):
        old_lr = _read_lr(optimizer)
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}."
                )
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs or {}
        logs["learning_rate"] = _read_lr(self._model.optimizer)
        current = self._monitored_value(logs, "Learning rate reduction is", end=".")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            optimizer = self._model.optimizer
            if self.wait >= self.patience and self._reduce_optimizer_lr(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

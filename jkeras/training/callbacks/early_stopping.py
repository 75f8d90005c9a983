"""`EarlyStopping`, with Keras 3.15's exact counting."""


from jkeras.training.callbacks.monitor import MonitorCallback
from jkeras.training.progbar import print_msg


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored quantity has stopped improving.

    Keras 3 semantics, kept exactly:
    - each epoch from `start_from_epoch` on with the monitored value counts one wait; an
      improvement over the best (by more than `min_delta`) resets the count, but only if it also
      beats `baseline` when one is given;
    - training stops (`model.stop_training = True`) when the count reaches `patience`, never at
      epoch 0;
    - `baseline` never counts as "best" itself: the first monitored epoch is always the best so far;
    - with `restore_best_weights`, the best epoch's `model.get_weights()` are put back with
      `model.set_weights()` at train end, whether or not training stopped early.
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # Reset so one instance can serve several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return  # nothing to watch yet, or still warming up
        if self.restore_best_weights and self.best_weights is None:
            # Nothing recorded yet: the current weights are the best we know.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        return self._monitored_value(logs or {}, "Early stopping")

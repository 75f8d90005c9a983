"""`ModelCheckpoint`, with Keras 3's file naming, best-only logic and save frequency."""

import os
import warnings

import numpy as np

from jkeras.training.callbacks.monitor import MonitorCallback
from jkeras.training.callbacks.save_freq import SavesEveryEpochOrBatches
from jkeras.training.progbar import print_msg


def save_checkpoint(model, filepath, weights_only):
    """`model.save_weights(filepath)` (a Keras `.weights.h5`) or `model.save(filepath)` (a Keras
    `.keras` zip); both write atomically (a temporary file, then a rename)."""
    method = getattr(model, "save_weights" if weights_only else "save", None)
    if method is None:
        raise TypeError(
            f"ModelCheckpoint needs a model with `{'save_weights' if weights_only else 'save'}`"
            f"(filepath); received {type(model).__name__}.")
    method(filepath)


class ModelCheckpoint(SavesEveryEpochOrBatches, MonitorCallback):
    """Saves the model (or its weights) every epoch or every `save_freq` steps.

    `filepath` may hold format fields filled from the logs:
    `"ckpt/{epoch:02d}-{val_loss:.2f}.keras"`
    (epoch is 1-based in the name, as in Keras; with an integer `save_freq`, `{batch}` is the
    1-based step). As Keras, it must end in `.weights.h5` with `save_weights_only=True`, else in
    `.keras` or `.h5`.

    With `save_best_only`, a file is written only when the monitored value improves on the best so
    far (starting from `initial_value_threshold`); mode "auto" minimizes losses and maximizes
    accuracy-like metrics. If the value is missing from the logs it saves anyway, with a warning.

    Files are Keras's own formats, readable by tf.keras: `model.save_weights(path)` with
    `save_weights_only=True`, else `model.save(path)` (optimizer state included, so training
    resumes exactly from a checkpoint). Writes are atomic.
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self._set_save_freq(save_freq)
        self._current_epoch = 0
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_model(self, epoch, batch, logs, filepath):
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        if self.monitor_op is None:
            self._set_monitor_op()  # batch-level saving can come before the first epoch end
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                "Can save best model only when `monitor` is a scalar value. "
                f"Received: {current}. Falling back to `save_best_only=False`."
            )
            return True
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        try:
            if self._should_save_model(epoch, batch, logs, filepath):
                dirname = os.path.dirname(filepath)
                if dirname and not os.path.exists(dirname):
                    os.makedirs(dirname)
                save_checkpoint(self.model, filepath, self.save_weights_only)
                if self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
        except IsADirectoryError:
            raise IOError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            )

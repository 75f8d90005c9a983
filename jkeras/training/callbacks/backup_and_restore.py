"""`BackupAndRestore`: resume an interrupted `fit` from its last backup, as Keras 3."""

import json
import os
import shutil

from jkeras.training.callbacks.base import Callback
from jkeras.training.callbacks.save_freq import batches_due


class BackupAndRestore(Callback):
    """Backs up the training state (weights, optimizer variables, the next epoch) into
    `backup_dir` at the end of each epoch (or every `save_freq` batches); a later `fit` with
    the same callback starts from that state and epoch. The backup is deleted when `fit`
    completes (unless `delete_checkpoint=False`).

    Files as Keras's: `latest.weights.h5` and `training_metadata.json` ({"epoch", "batch"}),
    with `.bkp` copies of the previous pair when `double_checkpoint=True` (used when the latest
    weights cannot be read). jkeras writes both files atomically. As in Keras, the random state
    (shuffling, dropout) is not part of the backup, and a run resumed from a mid-epoch backup
    (integer `save_freq`) starts at the beginning of the epoch it was in. Batch hooks run at
    the end of each compiled chunk of steps (`steps_per_execution`, "auto" by default), so an
    integer `save_freq` saves at the first chunk end after every `save_freq` batches; compile
    with `steps_per_execution=1` to save at exactly those batches, as Keras does.

    Args:
        backup_dir: directory for the backup; used by nothing else.
        save_freq: "epoch", or an integer number of batches between backups.
        double_checkpoint: keep the previous backup too.
        delete_checkpoint: delete `backup_dir` once training is finished.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        if save_freq != "epoch" and (not isinstance(save_freq, int) or
                                     isinstance(save_freq, bool)):
            raise ValueError(
                "Invalid value for argument `save_freq`. "
                f"Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )
        if save_freq != "epoch":
            # A batch hook only when it is needed: fit keeps whole epochs on the device else.
            self.on_train_batch_end = self._save_on_batch_end

    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except (OSError, ValueError):
            # The latest weights may be damaged: fall back on the previous backup.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path,
                                self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, "
                "you model must be built before you call `fit()`. "
                f"Model {self.model} is unbuilt. You can build it "
                "beforehand by calling it on a batch of data."
            )
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                training_metadata = json.loads(f.read())
            # `fit` starts at this epoch (Keras's `model._initial_epoch`).
            self.model._initial_epoch = training_metadata["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def _save_on_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            shutil.copyfile(self._weights_path, self._prev_weights_path)
        if self.double_checkpoint and os.path.exists(self._training_metadata_path):
            shutil.copyfile(self._training_metadata_path, self._prev_training_metadata_path)
        self.model.save_weights(self._weights_path, overwrite=True)
        tmp = f"{self._training_metadata_path}.tmp"
        with open(tmp, "w") as f:
            f.write(json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}))
        os.replace(tmp, self._training_metadata_path)  # a kill leaves the old file whole

    def _should_save_on_batch(self, batch):
        return batches_due(self, batch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)

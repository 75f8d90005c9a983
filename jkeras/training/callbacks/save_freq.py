"""Keras's `save_freq`: the `_should_save_on_batch` count, shared by ModelCheckpoint,
OrbaxCheckpoint and BackupAndRestore."""


def batches_due(callback, batch):
    """Whether `callback.save_freq` batches have passed since its last save, counted from the
    batch indices (chunked hooks, every K steps, count K each; an index that does not grow
    starts a new epoch). Uses and updates `callback._last_batch_seen` and
    `callback._batches_seen_since_last_saving`."""
    if callback.save_freq == "epoch":
        return False
    callback._batches_seen_since_last_saving += new_batches(callback._last_batch_seen, batch)
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False


def new_batches(last_batch_seen, batch):
    """How many batches the hook for `batch` stands for, after the one for `last_batch_seen`."""
    if last_batch_seen is None or batch <= last_batch_seen:
        return batch + 1
    return batch - last_batch_seen


class SavesEveryEpochOrBatches:
    """`save_freq="epoch"` or an integer number of batches (ModelCheckpoint, OrbaxCheckpoint)."""

    def _set_save_freq(self, save_freq):
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. "
                             "Expected save_freq are 'epoch' or integer values")
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None

    def _jk_batch_listening(self, kind, in_fit):
        return "every" if kind == "train" and self.save_freq != "epoch" else None

    def _should_save_on_batch(self, batch):
        return batches_due(self, batch)

"""Keras's `_should_save_on_batch` count, shared by ModelCheckpoint and BackupAndRestore."""


def batches_due(callback, batch):
    """Whether `callback.save_freq` batches have passed since its last save, counted from the
    batch indices (chunked hooks, every K steps, count K each; an index that does not grow
    starts a new epoch). Uses and updates `callback._last_batch_seen` and
    `callback._batches_seen_since_last_saving`."""
    if callback.save_freq == "epoch":
        return False
    last = callback._last_batch_seen
    add_batches = batch + 1 if last is None or batch <= last else batch - last
    callback._batches_seen_since_last_saving += add_batches
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False

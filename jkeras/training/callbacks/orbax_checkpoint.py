"""`OrbaxCheckpoint`: Keras 3's callback that saves the model state with Orbax
(orbax-checkpoint, an optional extra: `pip install jkeras[orbax]`)."""

import warnings

import numpy as np

from jkeras.training.callbacks.monitor import MonitorCallback
from jkeras.training.callbacks.save_freq import (SavesEveryEpochOrBatches, batches_due,
                                                  new_batches)
from jkeras.training.progbar import print_msg


def import_orbax():
    """`orbax.checkpoint`, with Keras's message when the package is missing."""
    try:
        import orbax.checkpoint as ocp
    except ImportError:
        raise ImportError("OrbaxCheckpoint requires the 'orbax-checkpoint' package. You can "
                          "install it via pip install orbax-checkpoint (or "
                          "`pip install jkeras[orbax]`).") from None
    return ocp


class OrbaxCheckpoint(SavesEveryEpochOrBatches, MonitorCallback):
    """Saves the model's weights and optimizer state with Orbax, every epoch or every
    `save_freq` batches, as Keras 3's `OrbaxCheckpoint`.

    Each save is a step directory `<directory>/<step>` (the epoch, 0-based, with
    `save_freq="epoch"`; the number of batches seen with an integer `save_freq`, counted on
    from the optimizer's iterations of a restored model). It holds the state tree
    (`model.get_state_tree()`, in Keras's layout: trainable, non-trainable, optimizer and
    metric variables by their Keras paths) and, unless `save_weights_only`, the model's config,
    so `keras.saving.load_model(directory)` rebuilds the model and
    `model.load_weights(directory)` restores the latest state into an existing one; Keras 3
    (JAX backend) reads these directories and jkeras reads Keras's. Arrays go to Orbax as the
    jax.Arrays they are: a sharded model (`ModelParallel`) is written by the devices holding
    each shard, never gathered on one host, and restored with the current distribution's
    layouts. `max_to_keep` keeps the latest
    checkpoints (all with None); `save_on_background` writes asynchronously (Orbax's async save:
    training continues while the files are written; `wait_until_finished()` and the end of
    `fit` wait for them). `save_best_only` saves only when `monitor` improves (`mode`,
    `initial_value_threshold` as `ModelCheckpoint`).

    Batch hooks run at the end of each compiled chunk of steps (`steps_per_execution`, "auto"
    by default), so an integer `save_freq` saves at the first chunk end after every
    `save_freq` batches; compile with `steps_per_execution=1` to save at exactly those
    batches, as Keras does. The metric variables are the metric objects' (`model.metrics`):
    during `fit` jkeras keeps the accumulators in the loop's state, so they are not this
    epoch's as in Keras (they restart each epoch anyway).
    """

    def __init__(
        self,
        directory,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
        max_to_keep=1,
        save_on_background=True,
        save_weights_only=False,
    ):
        ocp = import_orbax().v1
        super().__init__(monitor, mode, initial_value_threshold)
        self.directory = directory
        self.verbose = verbose
        self.save_best_only = save_best_only
        self._set_save_freq(save_freq)
        self.max_to_keep = max_to_keep
        self.save_on_background = save_on_background
        self.save_weights_only = save_weights_only
        self._total_batches_seen = 0
        self._async_futures = []
        self._multihost_initialized = (
            import_orbax().multihost.is_jax_distributed_client_initialized())
        if max_to_keep is not None and (not isinstance(max_to_keep, int) or max_to_keep < 1):
            raise ValueError("`max_to_keep` must be a positive integer or None. Received: "
                             f"max_to_keep={max_to_keep}")
        preservation = None
        if max_to_keep is not None:
            preservation = ocp.training.preservation_policies.LatestN(max_to_keep)
        self.checkpointer = ocp.training.Checkpointer(
            directory=directory,
            preservation_policy=preservation,
            save_decision_policy=ocp.training.save_decision_policies.FixedIntervalPolicy(1),
        )

    def set_model(self, model):
        super().set_model(model)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            # Recover the number of batches seen for a reloaded model.
            self._total_batches_seen = int(np.asarray(optimizer.iterations))

    # ---- multi-host ---------------------------------------------------------------------------
    def _sync_processes(self, key=None):
        if self._multihost_initialized:
            import_orbax().multihost.sync_global_processes(key or "orbax_checkpoint_sync")

    def is_multihost_enabled(self):
        """True when this process is one of several (`jax.distributed` is initialized)."""
        return self._multihost_initialized

    def is_primary_host(self):
        """True on process 0 of a multi-host run, and always on a single host."""
        if not self._multihost_initialized:
            return True
        return import_orbax().multihost.is_primary_host(primary_host=0)

    # ---- when to save -------------------------------------------------------------------------
    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        self._total_batches_seen += new_batches(self._last_batch_seen, batch)
        return batches_due(self, batch)

    def _best_allows(self, logs, where):
        if not self.save_best_only:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        current = logs.get(self.monitor) if logs else None
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available, "
                          f"skipping save at {where}.", stacklevel=3)
            return False
        if not self._is_improvement(current, self.best):
            return False
        self.best = current
        return True

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch) and self._best_allows(logs, f"batch {batch}"):
            self._save_checkpoint(step=self._total_batches_seen, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch" and self._best_allows(logs, f"epoch {epoch}"):
            self._save_checkpoint(step=epoch, logs=logs)

    # ---- saving -------------------------------------------------------------------------------
    def _save_checkpoint(self, step, logs=None):
        ocp = import_orbax().v1
        state_tree = self.model.get_state_tree()
        if self.save_weights_only:
            state_tree = {k: state_tree[k]
                          for k in ("trainable_variables", "non_trainable_variables")}
        payload = {"pytree": state_tree}
        if not self.save_weights_only:
            payload["model_config"] = {"config": self.model.to_json()}
        if self.verbose > 0:
            print_msg(f"\nStep {step}: saving Orbax checkpoint to {self.directory}/{step}")
        with ocp.Context():
            if self.save_on_background:
                self._async_futures.append(
                    self.checkpointer.save_checkpointables_async(step, payload))
            else:
                self.checkpointer.save_checkpointables(step, payload)

    def on_train_end(self, logs=None):
        # Closing waits for pending background saves.
        self.wait_until_finished()
        self.checkpointer.close()
        self._sync_processes("checkpoint_cleanup")

    def wait_until_finished(self):
        """Block until every background save has been written (on every host)."""
        for future in self._async_futures:
            future.result()
        self._async_futures.clear()
        self.checkpointer.wait()
        self._sync_processes("checkpoint_wait_complete")

"""`Callback` and `CallbackList`, with Keras 3's hook set and dispatch order.

Callbacks run on the host. A callback that overrides a batch hook gets it after every batch,
as with Keras 3's default `steps_per_execution=1` (every K batches with an integer
`steps_per_execution=K`: `on_train_batch_begin(first_step)`, then `on_train_batch_end(last_step,
logs)` with the logs after the chunk's last step). See jkeras/training/listening.py.
"""
from jkeras.training import array_logs, listening


def pythonify_logs(logs):
    """Flatten nested dicts, sort keys, and turn scalars (numpy / jax) into Python floats.

    This is where device values are pulled to the host, once per hook. The sort fixes the order in
    which metrics are shown (the progress bar prints them in first-seen order), as in Keras.
    """
    logs = logs or {}
    for key in logs:  # array results travel element by element: put them back together
        if key.__class__ is str and array_logs.SEP in key:
            logs = array_logs.regroup(logs)
            break
    result = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value)
        except Exception:  # non-scalars and strings stay as they are
            pass
        result[key] = value
    return result


def is_overridden(callback, hook):
    """Whether `callback` replaces the no-op `Callback.<hook>`, in its class or on the instance
    (LambdaCallback's hooks are instance attributes, as in Keras)."""
    return listening.is_overridden(callback, hook, Callback)


def _flatten(callbacks):
    out = []
    for cb in callbacks:
        if isinstance(cb, (list, tuple)):
            out.extend(_flatten(cb))
        elif cb is not None:
            out.append(cb)
    return out


class Callback:
    """Base class for callbacks. Override the hooks you need.

    Attributes:
        params: dict of training parameters, `{"verbose": ..., "epochs": ..., "steps": ...}`.
        model: the model being trained (duck-typed: `get_weights()`, `set_weights(list)`,
            `stop_training`, `optimizer.learning_rate`).
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        # As Keras's JAX backend: a model whose variables live in a jitted state can expose
        # `jax_state_sync()` to write them back before a callback reads or changes the model.
        sync = getattr(self._model, "jax_state_sync", None)
        if sync is not None:
            sync()
        return self._model

    @model.setter
    def model(self, model):
        self.set_model(model)

    # Legacy aliases: the default train-batch hooks forward to them, as in Keras.
    def on_batch_begin(self, batch, logs=None):
        """Backwards compatible alias for `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Backwards compatible alias for `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Start of a training epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch, logs=None):
        """End of a training epoch; `logs` holds the epoch's metrics and the `val_` ones."""

    def on_train_batch_begin(self, batch, logs=None):
        """Start of a training step, or of a chunk of steps (index of its first step)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """End of a training step or chunk (index of its last step); running epoch metrics."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Start of an evaluate / validation step or chunk."""

    def on_test_batch_end(self, batch, logs=None):
        """End of an evaluate / validation step or chunk."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Start of a predict step or chunk."""

    def on_predict_batch_end(self, batch, logs=None):
        """End of a predict step or chunk."""

    def on_train_begin(self, logs=None):
        """Start of `fit`."""

    def on_train_end(self, logs=None):
        """End of `fit`; `logs` are the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Start of `evaluate` (also validation inside `fit`)."""

    def on_test_end(self, logs=None):
        """End of `evaluate`; `logs` are its results."""

    def on_predict_begin(self, logs=None):
        """Start of `predict`."""

    def on_predict_end(self, logs=None):
        """End of `predict`."""


class CallbackList(Callback):
    """Calls a list of callbacks together, converting logs to Python floats once per hook.

    Args:
        callbacks: list (possibly nested) of `Callback`s.
        add_history: add a `History` unless one is in `callbacks`; it becomes `model.history`.
        add_progbar: add a `ProgbarLogger` unless one is in `callbacks` (Keras passes
            `verbose != 0`).
        model: the model, given to every callback.
        **params: given to every callback via `set_params` (fit passes verbose, epochs, steps).
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks else []
        self._in_begin_end_block_count = 0
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        # Imported here: those modules import this one.
        from jkeras.training.callbacks.history import History
        from jkeras.training.callbacks.progbar_logger import ProgbarLogger

        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        # Appended last, so they see what earlier callbacks add to the logs (e.g. learning_rate).
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _on_begin(self):
        self._in_begin_end_block_count += 1

    def _on_end(self):
        self._in_begin_end_block_count -= 1
        if self._in_begin_end_block_count < 0:
            raise ValueError("`on_xxx_end` called without corresponding `on_xxx_begin`")

    def _call(self, hook, logs, *head):
        # One converted dict shared by all callbacks: a callback that adds a key (as
        # LearningRateScheduler adds "learning_rate") is seen by those after it.
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*head, logs)

    def _call_batch(self, hook, batch, logs):
        # Batch hooks get `logs=` by keyword, exactly as Keras calls them.
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(batch, logs=logs)

    # compile_watch's listener: compilation is reported to the progress bar only
    def compile_started(self):
        for cb in self.callbacks:
            if hasattr(cb, "_on_compile_start"):
                cb._on_compile_start()

    def compile_finished(self, seconds):
        for cb in self.callbacks:
            if hasattr(cb, "_on_compile_end"):
                cb._on_compile_end(seconds)


# CallbackList's hooks all forward to its callbacks; a `*_begin` / `*_end` of fit, evaluate or
# predict also counts the nesting (Keras checks that every end has its begin).
def _forward_batch_hook(hook):
    def forward(self, batch, logs=None):
        self._call_batch(hook, batch, logs)
    return forward


def _forward_epoch_hook(hook):
    def forward(self, epoch, logs=None):
        self._call(hook, logs, epoch)
    return forward


def _forward_begin_hook(hook):
    def forward(self, logs=None):
        self._on_begin()
        self._call(hook, logs)
    return forward


def _forward_end_hook(hook):
    def forward(self, logs=None):
        self._call(hook, logs)
        self._on_end()
    return forward


def _install_forwarding_hooks(cls):
    for stage in ("train", "test", "predict"):
        hooks = {f"on_{stage}_begin": _forward_begin_hook, f"on_{stage}_end": _forward_end_hook,
                 f"on_{stage}_batch_begin": _forward_batch_hook,
                 f"on_{stage}_batch_end": _forward_batch_hook}
        for hook, forwarding in hooks.items():
            setattr(cls, hook, forwarding(hook))
    for hook, forwarding in {"on_batch_begin": _forward_batch_hook,
                             "on_batch_end": _forward_batch_hook,
                             "on_epoch_begin": _forward_epoch_hook,
                             "on_epoch_end": _forward_epoch_hook}.items():
        setattr(cls, hook, forwarding(hook))


_install_forwarding_hooks(CallbackList)

"""Callback / CallbackList / History / LambdaCallback: Keras 3's dispatch rules."""

import jax.numpy as jnp
import numpy as np
import pytest

from jkeras.training.callbacks import (
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    ProgbarLogger,
    TerminateOnNaN,
    is_overridden,
)
from jkeras.training.callbacks.base import pythonify_logs


class TinyModel:
    def __init__(self):
        self.stop_training = False


class Recorder(Callback):
    def __init__(self, name, journal):
        super().__init__()
        self.name, self.journal = name, journal

    def __getattribute__(self, attr):
        # Record every hook call with its arguments, then run the base no-op.
        if attr.startswith("on_"):
            journal, name = object.__getattribute__(self, "journal"), object.__getattribute__(self, "name")
            base = object.__getattribute__(self, attr)

            def hook(*args, **kwargs):
                journal.append((name, attr, args, kwargs))
                return base(*args, **kwargs)

            return hook
        return object.__getattribute__(self, attr)


def test_hooks_reach_callbacks_in_order_with_keras_calling_convention():
    journal = []
    cbs = CallbackList([Recorder("a", journal), [Recorder("b", journal)]], model=TinyModel())
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(3, {"loss": np.float32(0.5)})
    cbs.on_epoch_end(0, {"loss": 0.5})
    cbs.on_train_end({"loss": 0.5})
    calls = [(n, h, a, k) for n, h, a, k in journal if h not in ("on_batch_begin", "on_batch_end")]
    assert [c[:2] for c in calls] == [
        ("a", "on_train_begin"), ("b", "on_train_begin"),
        ("a", "on_epoch_begin"), ("b", "on_epoch_begin"),
        ("a", "on_train_batch_begin"), ("b", "on_train_batch_begin"),
        ("a", "on_train_batch_end"), ("b", "on_train_batch_end"),
        ("a", "on_epoch_end"), ("b", "on_epoch_end"),
        ("a", "on_train_end"), ("b", "on_train_end"),
    ]
    # Batch hooks get logs by keyword, epoch hooks positionally (as Keras).
    assert calls[6][2:] == ((3,), {"logs": {"loss": 0.5}})
    assert calls[8][2:] == ((0, {"loss": 0.5}), {})
    # The train-batch defaults forward to the legacy aliases.
    assert ("a", "on_batch_end", (3,), {"logs": {"loss": 0.5}}) in journal


def test_pythonify_logs_sorts_flattens_and_converts():
    logs = {"z": jnp.asarray(1.5), "a": np.float32(0.25), "nested": {"m": np.int64(3)}, "s": "x"}
    out = pythonify_logs(logs)
    assert list(out) == ["a", "m", "s", "z"]
    assert out == {"a": 0.25, "m": 3.0, "s": "x", "z": 1.5}
    assert all(type(out[k]) is float for k in ("a", "m", "z"))
    arr = np.arange(3.0)
    assert pythonify_logs({"v": arr})["v"] is arr  # non-scalars pass through
    assert pythonify_logs(None) == {}


def test_shared_logs_dict_lets_later_callbacks_see_additions():
    seen = {}

    class Adder(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["extra"] = 1.0

    cbs = CallbackList([Adder()], add_history=True, model=TinyModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    seen.update(cbs._history.history)
    assert seen == {"loss": [1.0], "extra": [1.0]}


def test_defaults_added_once_params_and_model_propagate():
    model = TinyModel()
    own_history = History()
    cbs = CallbackList([own_history], add_history=True, add_progbar=True, model=model,
                       verbose=1, epochs=3, steps=10)
    assert cbs.callbacks[0] is own_history
    assert [type(c) for c in cbs.callbacks] == [History, ProgbarLogger]
    assert model.history is own_history
    assert all(c.params == {"verbose": 1, "epochs": 3, "steps": 10} for c in cbs.callbacks)
    assert all(c.model is model for c in cbs.callbacks)
    assert cbs.callbacks[1].target == 10 and cbs.callbacks[1].epochs == 3
    assert CallbackList().callbacks == []
    assert [type(c) for c in CallbackList(add_progbar=False, add_history=False).callbacks] == []


def test_history_records_epochs_and_persists_across_fits():
    model = TinyModel()
    h = History()
    cbs = CallbackList([h], model=model, verbose=0, epochs=2, steps=1)
    for run in range(2):
        cbs.on_train_begin()
        for e in range(2):
            cbs.on_epoch_end(e, {"val_loss": 1.0 + e, "loss": 2.0 + e})
        cbs.on_train_end()
    assert h.epoch == [0, 1]  # reset per fit
    assert h.history == {"loss": [2.0, 3.0, 2.0, 3.0], "val_loss": [1.0, 2.0, 1.0, 2.0]}
    assert h.params == {"verbose": 0, "epochs": 2, "steps": 1}
    assert model.history is h and h.model is model


def test_unmatched_end_raises():
    cbs = CallbackList()
    with pytest.raises(ValueError, match="without corresponding"):
        cbs.on_test_end()


def test_model_property_calls_jax_state_sync():
    class SyncModel(TinyModel):
        syncs = 0

        def jax_state_sync(self):
            self.syncs += 1

    cb = Callback()
    m = SyncModel()
    cb.set_model(m)
    assert cb.model is m and m.syncs == 1


def test_lambda_callback_hooks():
    got = []
    cb = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: got.append(("eb", epoch)),
        on_epoch_end=lambda epoch, logs: got.append(("ee", epoch, logs["loss"])),
        on_train_begin=lambda logs: got.append(("tb",)),
        on_train_end=lambda logs: got.append(("te",)),
        on_train_batch_begin=lambda batch, logs: got.append(("bb", batch)),
        on_train_batch_end=lambda batch, logs: got.append(("be", batch, logs["loss"])),
        on_test_end=lambda logs: got.append(("test_end", logs)),
    )
    cbs = CallbackList([cb], model=TinyModel())
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(1, {"loss": 0.5})
    cbs.on_epoch_end(0, {"loss": 0.4})
    cbs.on_train_end()
    cbs.on_test_begin()
    cbs.on_test_end({"loss": 0.3})
    assert got == [("tb",), ("eb", 0), ("bb", 0), ("be", 1, 0.5), ("ee", 0, 0.4), ("te",),
                   ("test_end", {"loss": 0.3})]


def test_lambda_legacy_on_batch_end_via_kwargs():
    got = []
    cbs = CallbackList([LambdaCallback(on_batch_end=lambda batch, logs: got.append(batch))])
    cbs.on_train_batch_end(4, {})
    assert got == [4]


def test_is_overridden_sees_class_and_instance_hooks():
    assert not is_overridden(Callback(), "on_epoch_end")
    assert is_overridden(History(), "on_epoch_end")
    assert is_overridden(TerminateOnNaN(), "on_batch_end")
    assert not is_overridden(TerminateOnNaN(), "on_train_batch_end")
    lam = LambdaCallback(on_epoch_end=lambda e, logs: None)
    assert is_overridden(lam, "on_epoch_end") and not is_overridden(lam, "on_train_batch_end")

"""Same scripted logs, same stand-in model: tf.keras's callbacks and ours must decide alike.

Compared: EarlyStopping (stop epoch, best epoch, restored weights, messages), ReduceLROnPlateau
and LearningRateScheduler (learning-rate sequence), CSVLogger (file bytes), ModelCheckpoint
(paths saved), TerminateOnNaN, Progbar and ProgbarLogger (text, byte for byte under a shared fake
clock, and modulo timing fields under the real clock).
"""

import itertools
import os
import re
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras.training import callbacks as jk  # noqa: E402
from jkeras.training import progbar as jk_progbar  # noqa: E402

tk = tf.keras.callbacks
KERAS_PROGBAR_MODULE = sys.modules[tf.keras.utils.Progbar.__module__]


class Optimizer:
    def __init__(self, lr):
        self._lr = lr

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = float(value)


class TinyModel:
    """Duck-typed model both libraries' callbacks accept."""

    def __init__(self, lr=0.1):
        self.stop_training = False
        self.weights = [np.zeros(3, np.float32)]
        self.optimizer = Optimizer(lr)
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path, overwrite=True):
        self.saved.append(path)


def fit(lib, callbacks, epoch_logs, steps=4, chunk=1, verbose=0, batch_loss=None, lr=0.1,
        known_steps=True):
    """Keras 3 JAX trainer's hook sequence, run through `lib`'s own CallbackList."""
    model = TinyModel(lr)
    cbs = lib.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                           verbose=verbose, epochs=len(epoch_logs),
                           steps=steps if known_steps else None)
    model.stop_training = False
    cbs.on_train_begin()
    trace, logs = [], {}
    for epoch, logs in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        trace.append(("lr", model.optimizer.learning_rate))
        model.weights = [np.full(3, epoch, np.float32)]
        for begin in range(0, steps, chunk):
            end = min(begin + chunk, steps) - 1
            cbs.on_train_batch_begin(begin)
            loss = batch_loss(epoch, end) if batch_loss else 1.0 / (end + 1)
            cbs.on_train_batch_end(end, {"loss": loss, "accuracy": 0.5})
            if model.stop_training:
                break
        logs = dict(logs)
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    trace.append(("epochs", list(model.history.epoch)))
    trace.append(("history", model.history.history))
    trace.append(("weights", model.weights[0].tolist()))
    trace.append(("saved", model.saved))
    return trace


def sequences(n, length=9, seed=0):
    """Noisy plateaus rounded to 2 decimals, so ties and min_delta edges occur."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        steps = rng.choice([-0.2, -0.05, 0.0, 0.0, 0.03, 0.1], size=length)
        yield np.round(0.5 + np.cumsum(steps), 2).tolist()


ES_CONFIGS = list(itertools.product(
    [0, 1, 3],  # patience
    [0, 0.05],  # min_delta
    [None, 0.3],  # baseline
    [False, True],  # restore_best_weights
    [0, 2],  # start_from_epoch
    [("val_loss", "auto"), ("val_accuracy", "max"), ("val_loss", "min")],
))


@pytest.mark.parametrize("config", ES_CONFIGS[::3] + ES_CONFIGS[1::7])
def test_early_stopping_parity(config, capsys):
    patience, min_delta, baseline, restore, start, (monitor, mode) = config
    for values in sequences(4, seed=patience + 10 * start):
        logs = [{monitor: v, "loss": 1.0} for v in values]
        out = []
        for lib in (tk, jk):
            cb = lib.EarlyStopping(monitor=monitor, min_delta=min_delta, patience=patience,
                                   verbose=1, mode=mode, baseline=baseline,
                                   restore_best_weights=restore, start_from_epoch=start)
            trace = fit(lib, [cb], logs)
            out.append((trace, cb.stopped_epoch, cb.best_epoch, cb.best, capsys.readouterr().out))
        assert out[0] == out[1], values


@pytest.mark.parametrize("patience, cooldown, min_lr, min_delta, mode", [
    (0, 0, 0.0, 1e-4, "auto"), (1, 0, 0.0, 0.0, "min"), (2, 1, 0.01, 1e-4, "auto"),
    (1, 2, 0.001, 0.05, "auto"), (3, 0, 0.05, 0.0, "max"), (1, 1, 0.02, 0.0, "max"),
])
def test_reduce_lr_on_plateau_parity(patience, cooldown, min_lr, min_delta, mode, capsys):
    for values in sequences(5, length=12, seed=patience + 7 * cooldown):
        logs = [{"val_loss": v} for v in values]
        out = []
        for lib in (tk, jk):
            cb = lib.ReduceLROnPlateau(factor=0.5, patience=patience, cooldown=cooldown,
                                       min_lr=min_lr, min_delta=min_delta, mode=mode, verbose=1)
            out.append((fit(lib, [cb], logs), capsys.readouterr().out))
        assert out[0] == out[1], values


def test_learning_rate_scheduler_parity(capsys):
    schedules = [lambda e, lr: lr * 0.9 if e % 2 else lr, lambda e: 0.1 / (1 + e)]
    for schedule in schedules:
        out = []
        for lib in (tk, jk):
            cb = lib.LearningRateScheduler(schedule, verbose=1)
            out.append((fit(lib, [cb], [{"loss": 1.0}] * 5), capsys.readouterr().out))
        assert out[0] == out[1]


def test_csv_logger_parity(tmp_path):
    runs = [
        [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.3, "accuracy": 0.5, "val_loss": 0.2}],
        [{"loss": 0.123456789, "val_loss": 1.5, "val_accuracy": 0.75}],
        [{"loss": 1.0, "per_class": np.array([0.1, 0.2])}],
    ]
    for i, epochs in enumerate(runs):
        for sep, append in [(",", False), (";", True), ("\t", True)]:
            texts = []
            for lib in (tk, jk):
                path = tmp_path / f"{lib.__name__}-{i}-{append}.csv"
                fit(lib, [lib.CSVLogger(str(path), separator=sep, append=append)], epochs)
                fit(lib, [lib.CSVLogger(str(path), separator=sep, append=append)], epochs)
                texts.append(path.read_bytes())
            assert texts[0] == texts[1]


@pytest.mark.parametrize("kwargs", [
    dict(), dict(save_best_only=True), dict(save_best_only=True, monitor="val_accuracy", mode="max"),
    dict(save_best_only=True, monitor="loss", initial_value_threshold=0.45),
    dict(save_freq=3), dict(save_freq=5, save_best_only=True, monitor="loss"),
])
def test_model_checkpoint_parity(kwargs, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the relative paths below print the same in both libraries
    pattern = "ckpt/{epoch:02d}-{val_loss:.2f}.keras"
    if "save_freq" in kwargs:
        pattern = "ckpt/e{epoch}-b{batch}.keras"
    for values in sequences(3, seed=1):
        logs = [{"val_loss": v, "val_accuracy": 1 - v, "loss": v} for v in values]
        out = []
        for lib in (tk, jk):
            cb = lib.ModelCheckpoint(pattern, verbose=1, **kwargs)
            out.append((fit(lib, [cb], logs, steps=4, chunk=2), capsys.readouterr().out))
        assert out[0] == out[1]


def test_terminate_on_nan_parity(capsys):
    out = []
    for lib in (tk, jk):
        trace = fit(lib, [lib.TerminateOnNaN()], [{"loss": 1.0}] * 3,
                    batch_loss=lambda e, b: float("nan") if (e, b) == (1, 2) else 1.0)
        out.append((trace, capsys.readouterr().out))
    assert out[0] == out[1] and "Batch 2: Invalid loss, terminating training" in out[1][1]


# ---------------------------------------------------------------- progress bars


@pytest.fixture
def clock(clock, monkeypatch):
    """The shared fake clock (tests/conftest.py), driving Keras's progress bar too."""
    monkeypatch.setattr(KERAS_PROGBAR_MODULE, "time", types.SimpleNamespace(time=clock.time))
    return clock


PROGBAR_SCRIPTS = [
    # (target, kwargs, [(current, values, finalize, dt)])
    (469, {}, [(1, [("loss", 2.3)], None, 0.4), (200, [("loss", 0.5), ("acc", 0.8)], None, 0.4),
               (469, [("loss", 0.3), ("acc", 0.91)], None, 0.6)]),
    (10, {"stateful_metrics": ["acc"]}, [(3, [("loss", 1.0), ("acc", 0.1)], False, 0.06),
                                          (6, [("loss", 2.0), ("acc", 0.2)], False, 0.01),
                                          (10, [("loss", 4e-4), ("acc", 0.3)], True, 90.0)]),
    (None, {}, [(5, [("loss", 1.0)], None, 0.1), (9, [("loss", -0.002)], None, 0.1)]),
    (1, {"unit_name": "sample"}, [(1, None, None, 0.037)]),
    (3000, {"stateless_metrics": set()}, [(1, [("x", 1e-9)], None, 5.0), (2, [("x", -3.0)], None, 2.0),
                                          (3000, [("x", 7.0)], True, 0.5)]),
]


@pytest.mark.parametrize("verbose", [0, 1, 2])
@pytest.mark.parametrize("script", range(len(PROGBAR_SCRIPTS)))
def test_progbar_text_parity(script, verbose, clock, capsys):
    target, kwargs, updates = PROGBAR_SCRIPTS[script]
    texts = []
    for cls in (tf.keras.utils.Progbar, jk_progbar.Progbar):
        clock.t = 1000.0
        bar = cls(target, verbose=verbose, **kwargs)
        for current, values, finalize, dt in updates:
            clock.t += dt
            bar.update(current, values, finalize=finalize)
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1]


@pytest.mark.parametrize("verbose, chunk, known", [(1, 1, True), (1, 3, True), (2, 4, True),
                                                   (1, 2, False), (2, 3, False)])
def test_progbar_logger_parity(verbose, chunk, known, clock, capsys):
    logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6}, {"loss": 0.4, "accuracy": 0.8}]
    texts = []
    for lib in (tk, jk):
        clock.t = 0.0

        def loss(epoch, batch):
            clock.t += 0.03 * chunk  # each chunk takes time on the fake clock
            return 1.0 / (batch + 1)

        # 9 steps: with chunk 2 or 4 the last chunk is short (the loop reports its real last step).
        fit(lib, [], logs, steps=9, chunk=chunk, verbose=verbose, batch_loss=loss,
            known_steps=known)
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1]


TIMING = re.compile(r"\d+(:\d\d)*(s|ms|us)(/step)?")


def test_progbar_real_clock_parity_modulo_timing(capsys):
    texts = []
    for cls in (tf.keras.utils.Progbar, jk_progbar.Progbar):
        bar = cls(50, interval=0.0)
        for i in range(1, 51):
            bar.update(i, [("loss", 1.0 / i), ("accuracy", i / 50)])
        texts.append(TIMING.sub("T", capsys.readouterr().out))
    # Timing fields differ in width, so the erase padding may differ too: compare the frames.
    frames = [[f.rstrip() for f in t.replace("\b", "").split("\r")] for t in texts]
    assert frames[0] == frames[1]

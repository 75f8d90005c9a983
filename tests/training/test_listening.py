"""Batch hooks as Keras 3 calls them: after every batch for a callback that listens (its default
`steps_per_execution=1`), every K batches with `steps_per_execution=K`; the count depends on the
callbacks and the data only, never on measured time."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.training import listening
from jkeras.training.callbacks import Callback


class Count(jkeras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.train, self.test, self.predict = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.train.append(batch)

    def on_test_batch_end(self, batch, logs=None):
        self.test.append(batch)

    def on_predict_batch_end(self, batch, logs=None):
        self.predict.append(batch)


def mlp():
    model = jkeras.Sequential([jkeras.Input(shape=(4,)), L.Dense(3, activation="relu"), L.Dense(1)])
    return model


def cnn():
    return jkeras.Sequential([jkeras.Input(shape=(6, 6, 1)), L.Conv2D(2, 3), L.Flatten(),
                              L.Dense(1)])


@pytest.mark.parametrize("make, shape", [(mlp, (4,)), (cnn, (6, 6, 1))])
def test_every_batch_reaches_a_listening_callback(make, shape):
    x = np.random.default_rng(0).normal(size=(75,) + shape).astype("float32")
    y = x.reshape(75, -1)[:, :1]
    model = make()
    model.compile("sgd", "mse")
    cb = Count()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[cb])
    assert cb.train == list(range(10)) * 2  # 9 full batches and the tail, each epoch
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[cb])
    model.predict(x, batch_size=8, verbose=0, callbacks=[cb])
    assert cb.test == list(range(10)) and cb.predict == list(range(10))


def test_steps_per_execution_sets_the_hook_period():
    x = np.random.default_rng(0).normal(size=(75, 4)).astype("float32")
    model = mlp()
    model.compile("sgd", "mse", steps_per_execution=4)
    cb = Count()
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0, callbacks=[cb])
    assert cb.train == [3, 7, 9]


def test_fit_from_a_generator_calls_hooks_every_batch():
    rng = np.random.default_rng(0)

    def gen():
        for _ in range(7):
            xb = rng.normal(size=(8, 4)).astype("float32")
            yield xb, xb[:, :1]
    model = mlp()
    model.compile("sgd", "mse")
    cb = Count()
    model.fit(gen(), epochs=1, verbose=0, callbacks=[cb])
    assert cb.train == list(range(7))


def test_levels_of_the_built_in_callbacks(tmp_path):
    bar = jkeras.callbacks.ProgbarLogger()
    bar.verbose = 1
    epoch_ckpt = jkeras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"))
    batch_ckpt = jkeras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq=5)
    level = listening.level
    assert level([bar, epoch_ckpt], "train", Callback) == listening.PROGRESS
    assert level([bar], "test", Callback, in_fit=True) is None
    assert level([epoch_ckpt, jkeras.callbacks.History()], "train", Callback) is None
    assert level([bar, batch_ckpt], "train", Callback) == listening.EVERY
    assert level([jkeras.callbacks.LambdaCallback(on_train_batch_end=print)], "train",
                 Callback) == listening.EVERY
    assert level([jkeras.callbacks.LambdaCallback(on_epoch_end=print)], "train",
                 Callback) is None


def test_chunk_lengths_follow_the_arguments_only():
    assert listening.chunk_length(listening.EVERY, 30, 30) == 1
    assert listening.chunk_length(listening.PROGRESS, 30, 30) == 2  # 20 updates per epoch
    assert listening.chunk_length(listening.PROGRESS, 1, 30) == 1
    assert listening.chunk_length(None, 30, 30) == 30
    assert listening.chunk_length(listening.EVERY, 30, 30, fixed_k=4) == 4
    assert listening.chunk_length(None, None, None, cap=64) == 64

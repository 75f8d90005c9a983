"""How many programs fit compiles, counted with jax.monitoring's backend-compile events (not
time): the first fit of a small model compiles a bounded number, no loop is compiled only to
measure the loop mode, and a later fit that changes only epochs, initial_epoch, callbacks or
verbosity compiles nothing."""
import contextlib
import threading

import numpy as np
import pytest
from jax import monitoring

import jkeras
from jkeras import layers as L
from jkeras.training import background_compile, loop

EVENT = "/jax/core/compile/backend_compile_duration"
STEP_PROGRAMS = ("jit(run)", "jit(epochs)")  # Programs.chunk / Programs.train_epochs
THREADS = []  # the thread of each compile


@contextlib.contextmanager
def compiles():
    """The names of the programs XLA compiles inside the block."""
    names = []

    def listener(event, duration, **kwargs):
        if event == EVENT:
            names.append(kwargs.get("fun_name"))
            THREADS.append(threading.current_thread().name)
    monitoring.register_event_duration_secs_listener(listener)
    try:
        yield names
    finally:
        monitoring.unregister_event_duration_listener(listener)


def steps(names):
    return [n for n in names if n in STEP_PROGRAMS]


def data(n=90, shape=(5,)):
    rng = np.random.default_rng(0)
    return rng.random((n,) + shape, dtype=np.float32), rng.integers(0, 3, n)


def mlp():
    m = jkeras.Sequential([jkeras.Input((5,)), L.Dense(8, activation="relu"), L.Dropout(0.1),
                           L.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def cnn():
    m = jkeras.Sequential([jkeras.Input((6, 6, 1)), L.Conv2D(2, 3, activation="relu"),
                           L.MaxPooling2D(2), L.Flatten(), L.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    return m


def test_first_fit_compiles_a_bounded_number_of_programs():
    x, y = data()  # 72 training samples = 4 full batches of 16 + 8; 18 validation = 16 + 2
    model = mlp()
    with compiles() as names:
        model.fit(x, y, batch_size=16, epochs=2, validation_split=0.2, verbose=1)
    # the training loop, its partial batch, the evaluation loop and its partial batch; no
    # program only to measure
    assert len(steps(names)) == 4, names
    # plus a few small eager ones (permutation, copies, key splits): how many of those compile
    # here depends on what earlier tests in the process left in JAX's caches (12 alone)
    assert len(names) <= 16, names


def test_partial_batch_compiles_in_the_background_once():
    x, y = data()
    model = mlp()
    THREADS.clear()
    with compiles() as names:
        model.fit(x, y, batch_size=16, epochs=2, verbose=1)  # 5 full batches of 16 + 10
    assert len(steps(names)) == 2, names  # the loop and the partial batch, each once
    assert sum(t.startswith("jkeras-compile") for t in THREADS) == 1, THREADS
    assert not background_compile._pending


def test_verbose_zero_first_fit_compiles_one_step_program():
    x, y = data()
    model = mlp()
    with compiles() as names:
        model.fit(x, y, batch_size=16, epochs=3, validation_split=0.2, verbose=0)
    assert steps(names) == ["jit(epochs)"], names  # whole epochs and validation, fused


def test_measuring_the_loop_mode_compiles_no_loop(monkeypatch):
    monkeypatch.setattr(loop, "SLOW", 0.0)  # every measured step is "slow": single mode
    x, y = data(50, (6, 6, 1))  # 12 full batches of 4 + 2: room to measure in the first chunk
    model = cnn()
    with compiles() as names:
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert len(steps(names)) == 2, names  # one step and the partial batch; no loop
    decision = next(d for k, d in model.engine.decisions.items() if k[0] == "train")
    assert decision.mode == "single" and decision.seconds > 0


class BatchListener(jkeras.callbacks.Callback):
    """Counts the calls of one batch hook (an instance attribute, as LambdaCallback's)."""

    def __init__(self, hook):
        super().__init__()
        self.batches = 0
        setattr(self, hook, self._count)

    def _count(self, batch, logs=None):
        self.batches += 1


CHANGES = {
    "epochs": dict(epochs=3),
    "initial_epoch": dict(epochs=3, initial_epoch=2),
    "early_stopping": dict(epochs=2, callbacks=[jkeras.callbacks.EarlyStopping(
        "loss", patience=5)]),
    "batch_callback": dict(epochs=1, callbacks=[BatchListener("on_train_batch_end")]),
    "test_batch_callback": dict(epochs=1, callbacks=[BatchListener("on_test_batch_end")]),
    "verbose_0": dict(epochs=2, verbose=0),
    "verbose_2": dict(epochs=2, verbose=2),
}


# After a verbose=0 fit (fused epochs) a fit whose callbacks need the host every batch or
# epoch compiles the chunk programs once (docs/speed.md); the rest reuse the fused program.
FUSED_CHANGES = ("epochs", "initial_epoch", "verbose_0")
CASES = [(1, c) for c in CHANGES] + [(0, c) for c in FUSED_CHANGES]


@pytest.fixture(scope="module")
def fitted():
    """One model per first verbosity, fitted once (compiling its programs)."""
    x, y = data()
    models = {}
    for verbose in (1, 0):
        models[verbose] = mlp()
        models[verbose].fit(x, y, batch_size=16, epochs=1, validation_split=0.2,
                            verbose=verbose)
    return models, x, y


@pytest.mark.parametrize("first_verbose,change", CASES, ids=[f"v{v}-{c}" for v, c in CASES])
def test_no_recompilation_when_only_epochs_callbacks_or_verbosity_change(fitted, first_verbose,
                                                                         change):
    models, x, y = fitted
    kwargs = dict(CHANGES[change])
    kwargs.setdefault("verbose", first_verbose)
    with compiles() as names:
        history = models[first_verbose].fit(x, y, batch_size=16, validation_split=0.2,
                                             **kwargs)
    assert names == []
    assert len(history.history["loss"]) == kwargs["epochs"] - kwargs.get("initial_epoch", 0)
    if change == "batch_callback":
        assert kwargs["callbacks"][0].batches == 5  # its hooks after every batch, as Keras
    if change == "test_batch_callback":
        assert kwargs["callbacks"][0].batches == 2  # 16 + 2 validation samples


def test_chunked_fit_after_fused_compiles_only_its_chunk_programs():
    x, y = data()
    model = mlp()
    model.fit(x, y, batch_size=16, epochs=1, validation_split=0.2, verbose=0)
    with compiles() as names:
        model.fit(x, y, batch_size=16, epochs=1, validation_split=0.2, verbose=1)
    assert 1 <= len(steps(names)) <= 4, names
    with compiles() as names:  # and from then on neither path compiles
        model.fit(x, y, batch_size=16, epochs=2, validation_split=0.2, verbose=0)
        model.fit(x, y, batch_size=16, epochs=2, validation_split=0.2, verbose=2)
    assert names == []

"""`model.engine`: the model's one training-state object, and the optimizer state's one home."""
import pathlib
import re

import numpy as np
import pytest

import jkeras
from jkeras.training.engine import Engine


def _model():
    model = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(3),
                               jkeras.layers.Dense(1)])
    model.compile(optimizer=jkeras.optimizers.Adam(1e-2), loss="mse")
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")


def test_one_engine_per_model_holds_compile_and_programs():
    model = _model()
    engine = model.engine
    assert isinstance(engine, Engine) and model.engine is engine
    assert engine.compile_config["loss"] == "mse" and engine.compile_id == 1
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert engine.programs and engine.live is None
    model.compile(optimizer=model.optimizer, loss="mae")
    assert engine.compile_id == 2 and engine.programs == {}


def test_optimizer_state_has_one_home():
    model = _model()
    assert model.engine.opt_state is None
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    opt = model.optimizer
    state = model.engine.opt_state
    assert state is not None and state is opt._last_state
    assert int(opt.iterations) == 8
    # the engine keeps no copy of its own: the optimizer's state is the only one
    held = [k for k, v in vars(model.engine).items() if v is state]
    assert held == []


def test_recompile_with_same_optimizer_keeps_its_state_as_keras():
    keras = pytest.importorskip("keras")

    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.compile(optimizer=model.optimizer, loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)

    ref = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    ref.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    ref.fit(x, y, batch_size=8, epochs=1, verbose=0)
    ref.compile(optimizer=ref.optimizer, loss="mse")
    ref.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == int(ref.optimizer.iterations) == 8

    model.compile(optimizer=jkeras.optimizers.Adam(1e-2), loss="mse")  # a new optimizer
    assert model.engine.opt_state is None


def test_callbacks_see_the_running_optimizer_state():
    seen = []

    class Watch(jkeras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(int(self.model.optimizer.iterations))

    model = _model()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[Watch()])
    assert seen == [4, 8, 12]


def test_a_deep_copied_optimizer_never_claims_the_models_state():
    import copy

    model = _model()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    clone = copy.deepcopy(model.optimizer)
    assert clone.state_for(model.engine._owner) is None


@pytest.mark.parametrize("package", ["saving", "ensemble", "distribution"])
def test_no_private_engine_attributes_reached_from(package):
    root = pathlib.Path(jkeras.__file__).parent / package
    offenders = []
    for path in root.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\._jk(\(|_store|_[a-z_]+\()", line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def _recompiled_history(keras):
    x, y = _data(64)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0)
    model.compile("sgd")  # Keras 3 keeps the loss and the metrics of the earlier compile
    keys = [sorted(model.fit(x, y, epochs=1, verbose=0).history)]
    names = [[m.name for m in model.metrics]]
    saved_loss = model.get_compile_config()["loss"]
    model.compile("sgd", "mae", metrics=["mse"])
    keys.append(sorted(model.fit(x, y, epochs=1, verbose=0).history))
    return keys, names, saved_loss


@pytest.mark.tensorflow
def test_recompile_without_loss_or_metrics_keeps_them_as_keras(tf):
    got = _recompiled_history(jkeras)
    want = _recompiled_history(tf.keras)
    assert got == want
    assert got[0] == [["loss", "mae"], ["loss", "mse"]] and got[2] is None

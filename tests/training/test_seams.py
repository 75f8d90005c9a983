"""Keras 3's training seams (JAX form): overridden train_step / test_step / predict_step run in
the compiled loop; the default steps, metrics' and optimizers' stateless APIs are Keras's."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.training import step as step_lib

TRACES = {"n": 0}


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, (x @ rng.normal(size=(5, 1))).astype(np.float32)


class CountingModel(jkeras.Model):
    def train_step(self, state, data):
        TRACES["n"] += 1  # Python runs once per trace, never per step
        return super().train_step(state, data)


class SuperModel(jkeras.Model):
    def train_step(self, state, data):
        return super().train_step(state, data)

    def test_step(self, state, data):
        return super().test_step(state, data)


def functional(cls, dropout=False):
    inp = jkeras.Input(shape=(5,))
    h = L.Dense(8, activation="relu")(inp)
    if dropout:
        h = L.Dropout(0.3)(h)
    return cls(inp, L.Dense(1)(h))


def test_functional_subclass_keeps_overrides():
    model = functional(CountingModel)
    assert isinstance(model, CountingModel) and type(model).__name__ == "CountingModel"
    assert model.layers[-1].name == "dense_1" and model.count_params() == 57


def test_overridden_train_step_runs_fused_without_retrace():
    x, y = data()
    model = functional(CountingModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    TRACES["n"] = 0
    h = model.fit(x, y, batch_size=32, epochs=3, verbose=0)
    first = TRACES["n"]
    model.fit(x, y, batch_size=32, epochs=4, verbose=0)
    assert TRACES["n"] == first <= 3  # logs template + the fused program (+ a partial batch)
    programs = [p for p in model.engine.programs.values()]
    assert any(k[0] == "train_epochs" for p in programs for k in p._cache)
    assert h.history["loss"][-1] < h.history["loss"][0] and set(h.history) == {"loss", "mae"}


def test_default_steps_through_super_equal_the_engine():
    x, y = data()
    xv, yv = data(40, seed=1)
    plain, seam = functional(jkeras.Model), functional(SuperModel)
    seam.set_weights(plain.get_weights())
    logs = []
    for m in (plain, seam):
        m.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        logs.append(m.fit(x, y, batch_size=20, epochs=3, shuffle=False, verbose=0,
                          validation_data=(xv, yv)).history)
    for a, b in zip(plain.get_weights(), seam.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for k in logs[0]:
        np.testing.assert_allclose(logs[0][k], logs[1][k], rtol=1e-5)
    np.testing.assert_allclose(plain.evaluate(xv, yv, verbose=0), seam.evaluate(xv, yv, verbose=0),
                               rtol=1e-5)


def test_dropout_in_a_custom_step_uses_the_step_key():
    x, y = data()
    model = functional(SuperModel, dropout=True)
    model.compile(optimizer=jkeras.optimizers.Adam(0.05), loss="mse")
    h = model.fit(x, y, epochs=10, verbose=0)
    assert np.isfinite(h.history["loss"]).all() and h.history["loss"][-1] < h.history["loss"][0]


def test_tensorflow_form_train_step_is_refused():
    class TFStyle(jkeras.Model):
        def train_step(self, data):
            return {}
    model = functional(TFStyle)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(TypeError, match=r"train_step\(self, state, data\)"):
        model.fit(*data(), verbose=0)


def test_predict_step_override():
    class Doubled(jkeras.Model):
        def predict_step(self, state, data):
            out, non_trainable = super().predict_step(state, data)
            return out * 2.0, non_trainable
    x, _ = data()
    model = functional(Doubled)
    np.testing.assert_allclose(model.predict(x, verbose=0), 2.0 * np.asarray(model(x)),
                               rtol=1e-6, atol=1e-6)


def test_metrics_list_and_stateless_metric_api(tf):
    x, y = data()
    model = functional(jkeras.Model)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    ours, theirs = jkeras.metrics.MeanAbsoluteError(), tf.keras.metrics.MeanAbsoluteError()
    v = ours.stateless_reset_state()
    for seed in range(3):
        a, b = data(10, seed)
        v = ours.stateless_update_state(v, a[:, :1], b)
        theirs.update_state(a[:, :1], b)
    np.testing.assert_allclose(ours.stateless_result(v), theirs.result().numpy(), rtol=1e-6)
    assert len(v) == len(ours.variables) == len(theirs.variables)


def test_optimizer_stateless_apply_equals_apply_gradients():
    rng = np.random.default_rng(0)
    values = [rng.normal(size=(3, 2)).astype(np.float32), np.zeros(2, np.float32)]
    grads = [rng.normal(size=(3, 2)).astype(np.float32), np.ones(2, np.float32)]
    a, b = jkeras.optimizers.Adam(0.1), jkeras.optimizers.Adam(0.1)
    layer = L.Dense(2)
    layer.build((None, 3))
    layer.set_weights(values)
    a.build(layer.trainable_variables)
    with pytest.raises(ValueError, match="must be built"):
        b.stateless_apply([], grads, values)
    b.build(layer.trainable_variables)
    new, opt_vars = jax.jit(b.stateless_apply)(b.variables, grads, values)
    a.apply_gradients(zip(grads, layer.trainable_variables))
    for got, want in zip(new, layer.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert int(opt_vars[0]) == 1  # iterations

"""The compiled loop: batch access, no retracing, shuffling, chunk sizes, fused epochs, eager,
auto steps_per_execution, NaN handling."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
import jkeras.optimizers
from jkeras import layers
from jkeras.training import loop, step
from jkeras.training.callbacks import Callback, TerminateOnNaN
from jkeras.training.state import new_train_state


def _data(n=103, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    return x, (x @ rng.standard_normal((d, 1)) + 0.1).astype("float32")


def _model(lr=0.05, **compile_kw):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(5, activation="tanh"), layers.Dense(1)])
    m.compile(jkeras.optimizers.SGD(lr, momentum=0.5), "mse", metrics=["mae"], **compile_kw)
    return m


def _twins(**compile_kw):
    a, b = _model(), _model(**compile_kw)
    b.set_weights(a.get_weights())
    return a, b


class Listener(Callback):
    """Overrides batch and epoch hooks: forces the host-driven (non-fused) path."""

    def __init__(self):
        super().__init__()
        self.batches, self.epochs = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_take_batch_and_tail():
    data = (jnp.arange(10)[:, None], jnp.arange(10), None)
    xb, yb, sw = step.take_batch(data, None, 1, 3)
    assert yb.tolist() == [3, 4, 5] and sw is None
    perm = jnp.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    assert step.take_batch(data, perm, 2, 3)[1].tolist() == [3, 2, 1]
    assert step.take_tail(data, perm, 9, 1)[1].tolist() == [0]
    assert step.take_tail(data, None, 6, 4)[1].tolist() == [6, 7, 8, 9]


def test_permutation_per_epoch_is_a_permutation_and_changes():
    ts = new_train_state({"params": {}, "state": {}}, None, jax.random.PRNGKey(0), ())
    ts, p1 = loop.draw_permutation(ts, 50)
    ts, p2 = loop.draw_permutation(ts, 50)
    assert sorted(np.asarray(p1).tolist()) == list(range(50))
    assert sorted(np.asarray(p2).tolist()) == list(range(50))
    assert not np.array_equal(p1, p2)


@pytest.mark.parametrize("callbacks", [[], [Listener()]], ids=["fused", "chunked"])
def test_no_retracing_across_epochs_and_fit_calls(callbacks):
    x, y = _data()
    m = _model()
    m.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=callbacks)
    before = dict(step.TRACE_COUNTS)
    m.fit(x, y, batch_size=16, epochs=5, verbose=0, callbacks=callbacks)
    m.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=callbacks)
    assert dict(step.TRACE_COUNTS) == before


def test_no_retracing_when_learning_rate_changes():
    x, y = _data()
    m = _model()
    m.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[Listener()])
    before = dict(step.TRACE_COUNTS)
    m.optimizer.learning_rate = 0.001
    m.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[Listener()])
    assert dict(step.TRACE_COUNTS) == before
    assert float(m.optimizer.learning_rate) == pytest.approx(0.001)


@pytest.mark.parametrize("spe", [1, 3, 7, 1000])
def test_steps_per_execution_gives_identical_results(spe):
    x, y = _data()
    a, b = _twins(steps_per_execution=spe)
    ha = a.fit(x, y, batch_size=10, epochs=3, verbose=0, shuffle=False, callbacks=[Listener()])
    lb = Listener()
    hb = b.fit(x, y, batch_size=10, epochs=3, verbose=0, shuffle=False, callbacks=[lb])
    for k in ha.history:
        np.testing.assert_allclose(ha.history[k], hb.history[k], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)
    # one batch hook per chunk, with the chunk's last step index (11 batches per epoch)
    k = min(spe, 11)
    expected = [min(i + k, 11) - 1 for i in range(0, 11, k)]
    assert lb.batches[: len(expected)] == expected


@pytest.mark.parametrize("shuffle,kw,keys", [
    (False, {}, {"loss", "mae"}), (True, {}, {"loss", "mae"}),
    (True, dict(validation_split=0.3, validation_freq=2), {"loss", "mae", "val_loss", "val_mae"}),
    (False, dict(validation_data=(np.ones((7, 4), "float32"), np.ones((7, 1), "float32")),
                 validation_batch_size=3), {"loss", "mae", "val_loss", "val_mae"})])
def test_fused_epochs_match_the_host_driven_path(shuffle, kw, keys):
    x, y = _data()
    a, b = _twins()
    jkeras.utils.set_random_seed(5)  # same shuffling key stream for both fits
    ha = a.fit(x, y, batch_size=16, epochs=4, verbose=0, shuffle=shuffle, **kw)  # fused epochs
    jkeras.utils.set_random_seed(5)
    hb = b.fit(x, y, batch_size=16, epochs=4, verbose=0, shuffle=shuffle, callbacks=[Listener()],
               **kw)
    assert ha.history.keys() == hb.history.keys() == keys
    if "validation_freq" in kw:
        assert len(ha.history["val_loss"]) == 2
    for k in ha.history:
        np.testing.assert_allclose(ha.history[k], hb.history[k], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


def test_run_eagerly_equals_jit():
    x, y = _data(40)
    a, b = _twins(run_eagerly=True)
    ha = a.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    hb = b.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    assert b.run_eagerly
    for k in ha.history:
        np.testing.assert_allclose(ha.history[k], hb.history[k], rtol=1e-5)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.evaluate(x, y, verbose=0), b.evaluate(x, y, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), rtol=1e-5)


def test_epoch_loss_is_the_batch_size_weighted_mean_with_exact_partial_batch():
    x, y = _data(10)
    m = _model(lr=0.0)  # weights stay put: every batch sees the same model
    h = m.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    pred = m.predict(x, verbose=0)
    per_batch = [np.mean((pred[i:i + 4] - y[i:i + 4]) ** 2) for i in (0, 4, 8)]
    expected = (4 * per_batch[0] + 4 * per_batch[1] + 2 * per_batch[2]) / 10
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert h.history["mae"][0] == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-5)


def test_shuffle_changes_the_order_but_not_the_samples():
    x, y = _data(64)
    a, b = _twins()
    ha = a.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    hb = b.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=True)
    assert ha.history["loss"][0] != pytest.approx(hb.history["loss"][0], rel=1e-7)
    c = _model(lr=0.0)
    h1 = c.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=True)
    assert h1.history["loss"][0] == pytest.approx(h1.history["loss"][1], rel=1e-5)


def test_tune_decides_by_measurement(monkeypatch):
    clock = {"t": 0.0}
    monkeypatch.setattr(loop.time, "perf_counter", lambda: clock["t"])

    def run(per_step_one, per_step_loop):
        calls = []

        def one(i):
            calls.append(("one", i))
            clock["t"] += per_step_one

        def many(i, n):
            calls.append(("many", i, n))
            clock["t"] += per_step_loop * n
        return loop.tune(one, many, 50, warm=False), calls

    (dec, used), calls = run(1e-5, 1e-5)  # dispatch-bound: no loop measurement
    assert dec.mode == "loop" and used == 2 and len(calls) == 2
    (dec, used), calls = run(5e-3, 1e-3)  # the loop is faster per step
    assert dec.mode == "loop" and used == 10 and calls[-1] == ("many", 6, 4)
    (dec, used), _ = run(5e-3, 2e-2)  # the loop is slower (convolutions on CPU)
    assert dec.mode == "single" and dec.seconds == pytest.approx(5e-3)
    assert loop.tune(lambda i: None, lambda i, n: None, 1, warm=False) == (None, 1)


def test_loop_risky_detects_convolutions():
    def conv(x, w):
        return jax.lax.conv_general_dilated(x, w, (1, 1), "VALID")
    jx = jax.make_jaxpr(conv)(jnp.ones((1, 1, 5, 5)), jnp.ones((2, 1, 3, 3))).jaxpr
    jd = jax.make_jaxpr(lambda a: jnp.tanh(a @ a))(jnp.ones((3, 3))).jaxpr
    jn = jax.make_jaxpr(lambda x, w: jax.jit(conv)(x, w))(
        jnp.ones((1, 1, 5, 5)), jnp.ones((2, 1, 3, 3))).jaxpr
    assert loop.loop_risky(jx) and loop.loop_risky(jn) and not loop.loop_risky(jd)


@pytest.mark.parametrize("callbacks", [[], [Listener()]], ids=["fused", "chunked"])
def test_terminate_on_nan_keeps_last_good_weights(callbacks, capsys):
    x, y = _data(40)
    y[23] = np.nan  # batch 2 (size 10) of the first epoch
    m = _model()
    ref = _model()
    ref.set_weights(m.get_weights())
    h = m.fit(x, y, batch_size=10, epochs=3, verbose=0, shuffle=False,
              callbacks=[TerminateOnNaN()] + callbacks)
    out = capsys.readouterr().out
    assert "Invalid loss, terminating training" in out
    if callbacks:
        assert "Batch 2:" in out
    assert len(h.history["loss"]) == 1 and np.isnan(h.history["loss"][0])
    ref.fit(x[:20], y[:20], batch_size=10, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(m.get_weights(), ref.get_weights()):
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_nan_without_terminate_on_nan_propagates():
    x, y = _data(20)
    y[3] = np.nan
    m = _model()
    h = m.fit(x, y, batch_size=10, epochs=2, verbose=0, shuffle=False)
    assert len(h.history["loss"]) == 2 and np.isnan(h.history["loss"][-1])


@pytest.mark.parametrize("n", [5, 40])
def test_convolutional_model_is_measured_before_looping(n):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((n, 6, 6, 1)).astype("float32"), rng.integers(0, 2, n)
    m = jkeras.Sequential([jkeras.Input((6, 6, 1)), layers.Conv2D(2, 3), layers.Flatten(),
                           layers.Dense(2, activation="softmax")])
    m.compile("sgd", "sparse_categorical_crossentropy")
    h = m.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
    decisions = [d for k, d in m.engine.decisions.items() if k[0] == "train"]
    if n == 40:  # room to time one step against a loop of steps
        assert len(decisions) == 1 and decisions[0].mode in ("loop", "single")
        assert decisions[0].seconds > 0
    assert m.predict(x, verbose=0).shape == (n, 2)

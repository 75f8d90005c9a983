"""compile / fit / evaluate / predict / *_on_batch: return values, log names, data forms,
callbacks driving the loop."""
import numpy as np
import pytest

import jkeras
import jkeras.optimizers
from jkeras import layers
from jkeras.training.callbacks import (Callback, EarlyStopping, History, LambdaCallback,
                                       LearningRateScheduler)


def _clf(n=90, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0).astype("int32")


def _model(metrics=("accuracy",), **kw):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(6, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=list(metrics), **kw)
    return m


def _two_outputs():
    inp = jkeras.Input((4,), name="inp")
    h = layers.Dense(6, activation="relu")(inp)
    return jkeras.Model(inp, [layers.Dense(1, name="out_a")(h),
                              layers.Dense(3, activation="softmax", name="out_b")(h)])


def test_fit_returns_history_with_keras_keys():
    x, y = _clf()
    m = _model()
    assert m.compiled and m.optimizer is not None and m.loss == "sparse_categorical_crossentropy"
    h = m.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.2)
    assert isinstance(h, History) and m.history is h
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in h.history.values()) and h.epoch == [0, 1, 2]
    assert all(isinstance(v, float) for v in h.history["loss"])


def test_evaluate_and_metrics_names():
    x, y = _clf()
    m = _model()
    assert m.metrics_names == ["loss", "compile_metrics"]
    loss, acc = m.evaluate(x, y, verbose=0)
    assert 0 <= acc <= 1 and loss > 0
    d = m.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["accuracy", "loss"] and d["loss"] == pytest.approx(loss)
    m2 = _model(metrics=())
    assert isinstance(m2.evaluate(x, y, verbose=0), float)
    assert m2.metrics_names == ["loss"]


def test_multi_output_names_and_structures():
    x, _ = _clf(60)
    ya, yb = np.ones((60, 1), "float32"), np.zeros(60, "int32")
    m = _two_outputs()
    m.compile("sgd", loss={"out_a": "mse", "out_b": "sparse_categorical_crossentropy"},
              metrics={"out_b": "accuracy"})
    h = m.fit(x, {"out_a": ya, "out_b": yb}, epochs=1, batch_size=32, verbose=0)
    assert list(h.history) == ["loss", "out_a_loss", "out_b_accuracy", "out_b_loss"]
    assert m.metrics_names == ["loss", "compile_metrics", "out_a_loss", "out_b_loss"]
    res = m.evaluate(x, [ya, yb], verbose=0)  # Keras order: loss, per-output losses, others
    d = m.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert res == pytest.approx([d["loss"], d["out_a_loss"], d["out_b_loss"], d["out_b_accuracy"]])
    pa, pb = m.predict(x, batch_size=7, verbose=0)
    assert pa.shape == (60, 1) and pb.shape == (60, 3)
    assert np.allclose(pb.sum(-1), 1, atol=1e-5)
    single = m.predict_on_batch(x[:5])
    assert isinstance(single, list) and single[1].shape == (5, 3)


def test_loss_weights_and_same_loss_for_every_output():
    x, _ = _clf(40)
    ys = [np.ones((40, 1), "float32"), np.ones((40, 3), "float32")]
    m = _two_outputs()
    m.compile("sgd", loss="mse", loss_weights=[2.0, 0.0])
    d = m.evaluate(x, ys, verbose=0, return_dict=True, batch_size=40)
    assert d["loss"] == pytest.approx(2.0 * d["out_a_loss"], rel=1e-5)


def test_predict_partial_batches_and_chunks():
    x, _ = _clf(77)
    m = _model()
    full = m.predict(x, batch_size=77, verbose=0)
    seen = []
    cb = LambdaCallback(on_predict_batch_end=lambda b, logs: seen.append(b))
    for bs in (1, 10, 32, 100):
        np.testing.assert_allclose(m.predict(x, batch_size=bs, verbose=0, callbacks=[cb]), full,
                                   rtol=1e-6, atol=1e-7)
    assert seen and seen[-1] == 0  # batch 100: one partial batch
    np.testing.assert_allclose(m.predict_on_batch(x), full, rtol=1e-6, atol=1e-7)
    assert m.predict(x, batch_size=10, steps=3, verbose=0).shape == (30, 3)


def test_on_batch_methods():
    x, y = _clf(32)
    m = _model()
    w0 = [w.copy() for w in m.get_weights()]
    loss, acc = m.train_on_batch(x, y)
    assert not all(np.allclose(a, b) for a, b in zip(w0, m.get_weights()))
    assert set(m.train_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert m.test_on_batch(x, y) == pytest.approx(m.evaluate(x, y, batch_size=32, verbose=0))
    assert m.optimizer.iterations == 2


def test_fit_on_generator_and_batch_list():
    x, y = _clf(64)
    sw = np.ones(64, "float32")

    def gen():
        for i in range(0, 64, 16):
            yield x[i:i + 16], y[i:i + 16], sw[i:i + 16]
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(gen(), epochs=1, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)

    class Batches:  # re-iterable, with a partial last batch
        def __init__(self, x_only=False):
            self.x_only = x_only

        def __iter__(self):
            for i in range(0, 64, 20):
                yield (x[i:i + 20],) if self.x_only else (x[i:i + 20], y[i:i + 20])
    h = a.fit(Batches(), epochs=3, verbose=0, validation_data=Batches())
    assert len(h.history["val_loss"]) == 3
    assert a.evaluate(Batches(), verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    np.testing.assert_allclose(a.predict(Batches(x_only=True), verbose=0),
                               a.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_generator_with_steps_per_epoch_continues_across_epochs():
    x, y = _clf(64)

    def forever():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]
    seen = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    h = _model().fit(forever(), epochs=3, steps_per_epoch=5, verbose=0, callbacks=[cb])
    assert len(h.history["loss"]) == 3 and max(seen) == 4


def test_dict_inputs_functional_model():
    a_in, b_in = jkeras.Input((2,), name="a"), jkeras.Input((3,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a_in, b_in]))
    m = jkeras.Model({"a": a_in, "b": b_in}, out)
    m.compile("sgd", "mse")
    x = {"a": np.ones((20, 2), "float32"), "b": np.ones((20, 3), "float32")}
    h = m.fit(x, np.zeros((20, 1), "float32"), epochs=2, batch_size=8, verbose=0,
              validation_split=0.25)
    assert len(h.history["val_loss"]) == 2 and m.predict(x, verbose=0).shape == (20, 1)


def test_early_stopping_and_initial_epoch():
    x, y = _clf()
    m = _model()
    h = m.fit(x, y, epochs=50, verbose=0, validation_split=0.2,
              callbacks=[EarlyStopping(monitor="loss", min_delta=10.0, patience=1)])
    assert len(h.history["loss"]) == 2 and m.stop_training
    h = m.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert h.epoch == [2, 3]


def test_learning_rate_scheduler_reaches_the_compiled_step():
    x, y = _clf()
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    a.compile(jkeras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    b.compile(jkeras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    a.fit(x, y, epochs=3, batch_size=30, verbose=0, shuffle=False,
          callbacks=[LearningRateScheduler(lambda e, lr: 0.0 if e >= 1 else lr)])
    b.fit(x, y, epochs=1, batch_size=30, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_callbacks_see_current_weights_and_their_edits_are_kept():
    x, y = _clf()
    m = _model()
    snapshots = []

    class Edit(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights()[0].copy())
            if epoch == 1:
                self.model.set_weights([np.zeros_like(w) for w in self.model.get_weights()])
    m.fit(x, y, epochs=2, batch_size=30, verbose=0, callbacks=[Edit()])
    assert not np.allclose(snapshots[0], snapshots[1])
    assert all(np.all(w == 0) for w in m.get_weights())  # the edit at the last epoch end stays
    m.fit(x, y, epochs=3, batch_size=30, verbose=0, callbacks=[Edit()])
    assert np.abs(snapshots[-1]).sum() > 0


def test_validation_freq_and_sample_weights():
    x, y = _clf()
    m = _model()
    h = m.fit(x, y, epochs=4, verbose=0, validation_data=(x, y), validation_freq=2)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2
    sw = np.ones(len(x), "float32")
    sw[::2] = 0.0
    d1 = m.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    d2 = m.evaluate(x[1::2], y[1::2], verbose=0, return_dict=True, batch_size=len(x))
    unweighted = m.evaluate(x, y, verbose=0, return_dict=True)
    assert d1["accuracy"] == pytest.approx(unweighted["accuracy"])  # `metrics` ignore weights
    assert d1["loss"] == pytest.approx(d2["loss"] / 2, rel=1e-5)  # zero weights count in the mean


def test_progress_bar_and_verbose_2(capsys):
    x, y = _clf(40)
    m = _model()
    m.fit(x, y, epochs=2, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "5/5" in out and "loss:" in out
    m.fit(x, y, epochs=2, batch_size=8, verbose=2)
    assert "Epoch 2/2" in capsys.readouterr().out
    m.evaluate(x, y, verbose=1)
    assert "loss:" in capsys.readouterr().out


def test_custom_callables_and_weighted_metrics():
    import jax.numpy as jnp
    x, y = _clf(50)

    def my_loss(y_true, y_pred):
        return jnp.mean(jnp.abs(y_pred - jnp.eye(3)[y_true.astype("int32").reshape(-1)]), -1)

    def my_metric(y_true, y_pred):
        return jnp.max(y_pred, -1)
    m = _model(metrics=())
    m.compile("sgd", my_loss, metrics=["accuracy", my_metric], weighted_metrics=["accuracy"])
    sw = np.linspace(0, 1, 50).astype("float32")
    h = m.fit(x, y, sample_weight=sw, epochs=1, batch_size=50, verbose=0)
    assert list(h.history) == ["accuracy", "loss", "my_metric", "weighted_accuracy"]
    assert m.get_compile_config()["loss"]["config"] == "my_loss"  # Keras's serialized form
    d = m.evaluate(x, y, sample_weight=sw, batch_size=50, verbose=0, return_dict=True)
    pred = m.predict(x, verbose=0)
    hit = (pred.argmax(-1) == y).astype("float32")
    assert d["accuracy"] == pytest.approx(hit.mean(), rel=1e-5)
    assert d["weighted_accuracy"] == pytest.approx((hit * sw).sum() / sw.sum(), rel=1e-5)
    assert d["my_metric"] == pytest.approx(pred.max(-1).mean(), rel=1e-5)


def test_predict_on_a_few_rows_then_fit_on_full_batches():
    """The forward-shape cache is per batch size (a 2-row predict used to poison fit)."""
    x = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = jkeras.Sequential([jkeras.Input(shape=(3,)), jkeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert model.predict(x[:2], verbose=0).shape == (2, 1)
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert model.evaluate(x[:5], y[:5], verbose=0) >= 0

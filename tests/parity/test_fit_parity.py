"""fit / evaluate / predict trajectories against tf.keras (Keras 3.15, TF backend).

Same architecture, weights copied from tf.keras, shuffle=False; 300 samples in batches of 32 give
9 full batches and a partial one of 12, so every epoch checks the exact last-batch loss. Six epochs
= 60 optimizer steps per case.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

import jkeras
import jkeras.optimizers  # noqa: F401  (jkeras.optimizers.* used via _opt)
from jkeras import layers

N, D, H, EPOCHS, BS = 300, 6, 8, 6, 32


def _data(loss):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, D)).astype("float32")
    if loss == "mse":
        return x, rng.standard_normal((N, 2)).astype("float32"), 2, None
    if loss in ("bce", "bce_logits"):
        return x, rng.integers(0, 2, (N, 1)).astype("float32"), 1, (
            None if loss == "bce_logits" else "sigmoid")
    if loss == "cce":
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, N)]
        return x, y, 3, "softmax"
    return x, rng.integers(0, 3, (N,)), 3, "softmax"  # sparse


def _loss(mod, loss):
    L = mod.losses
    return {"mse": L.MeanSquaredError(), "bce": L.BinaryCrossentropy(),
            "bce_logits": L.BinaryCrossentropy(from_logits=True),
            "cce": L.CategoricalCrossentropy(),
            "sparse": L.SparseCategoricalCrossentropy()}[loss]


def _metrics(loss):
    return ["mae"] if loss == "mse" else ["accuracy"]


def _opt(mod, name, clip=False, schedule=False):
    O = mod.optimizers
    lr = O.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.7) if schedule else None
    kw = {"clipnorm": 0.5} if clip else {}
    make = {
        "sgd": lambda: O.SGD(lr or 0.05, **kw),
        "momentum": lambda: O.SGD(lr or 0.05, momentum=0.9, **kw),
        "nesterov": lambda: O.SGD(lr or 0.05, momentum=0.9, nesterov=True, **kw),
        "adam": lambda: O.Adam(lr or 0.01, **kw),
        "adamw": lambda: O.AdamW(lr or 0.01, weight_decay=0.05, **kw),
        "rmsprop": lambda: O.RMSprop(lr or 0.01, **kw),
        "rmsprop_centered": lambda: O.RMSprop(lr or 0.01, centered=True, momentum=0.5, **kw),
        "adagrad": lambda: O.Adagrad(lr or 0.1, **kw),
    }
    return make[name]()


def _pair(tf, loss, opt, clip=False, schedule=False, **compile_kw):
    x, y, out, act = _data(loss)
    K = tf.keras
    tm = K.Sequential([K.Input((D,)), K.layers.Dense(H, activation="tanh"),
                       K.layers.Dense(out, activation=act)])
    jm = jkeras.Sequential([jkeras.Input((D,)), layers.Dense(H, activation="tanh"),
                            layers.Dense(out, activation=act)])
    jm.set_weights(tm.get_weights())
    tm.compile(optimizer=_opt(K, opt, clip, schedule), loss=_loss(K, loss),
               metrics=_metrics(loss))
    jm.compile(optimizer=_opt(jkeras, opt, clip, schedule), loss=_loss(jkeras, loss),
               metrics=_metrics(loss), **compile_kw)
    return tm, jm, x, y


def _close_weights(jm, tm, rtol=1e-4):
    for a, b in zip(jm.get_weights(), tm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-5)


def _close_history(hj, ht, rtol=1e-4):
    assert list(hj.history) == list(ht.history)
    for k in ht.history:
        np.testing.assert_allclose(hj.history[k], ht.history[k], rtol=rtol, atol=1e-6, err_msg=k)


CASES = [
    ("mse", "sgd", False, False), ("mse", "momentum", False, False),
    ("mse", "nesterov", True, False), ("bce", "adam", False, False),
    ("bce_logits", "adamw", False, True), ("cce", "rmsprop", True, False),
    ("sparse", "rmsprop_centered", False, False), ("sparse", "adagrad", False, True),
    ("cce", "adam", True, True), ("bce", "sgd", False, True), ("sparse", "momentum", True, False),
    ("mse", "adam", False, False), ("bce_logits", "nesterov", False, False),
]


@pytest.mark.parametrize("loss,opt,clip,schedule", CASES)
def test_fit_trajectory_matches_tf_keras(tf, loss, opt, clip, schedule):
    tm, jm, x, y = _pair(tf, loss, opt, clip, schedule)
    ht = tm.fit(x, y, batch_size=BS, epochs=EPOCHS, shuffle=False, verbose=0)
    hj = jm.fit(x, y, batch_size=BS, epochs=EPOCHS, shuffle=False, verbose=0)
    _close_history(hj, ht)
    _close_weights(jm, tm)


def test_validation_split_evaluate_predict_match(tf):
    tm, jm, x, y = _pair(tf, "sparse", "adam")
    sw = np.random.default_rng(2).uniform(0.5, 2.0, N).astype("float32")
    ht = tm.fit(x, y, batch_size=BS, epochs=4, shuffle=False, verbose=0, validation_split=0.3,
                sample_weight=sw)
    hj = jm.fit(x, y, batch_size=BS, epochs=4, shuffle=False, verbose=0, validation_split=0.3,
                sample_weight=sw)
    assert "val_loss" in hj.history and "val_accuracy" in hj.history
    _close_history(hj, ht)
    _close_weights(jm, tm)
    np.testing.assert_allclose(jm.evaluate(x, y, batch_size=50, verbose=0),
                               tm.evaluate(x, y, batch_size=50, verbose=0), rtol=1e-5)
    assert jm.evaluate(x, y, verbose=0, return_dict=True).keys() == \
        tm.evaluate(x, y, verbose=0, return_dict=True).keys()
    np.testing.assert_allclose(jm.predict(x, batch_size=64, verbose=0),
                               tm.predict(x, batch_size=64, verbose=0), rtol=1e-5, atol=1e-6)


def test_validation_data_and_class_weight_match(tf):
    tm, jm, x, y = _pair(tf, "sparse", "sgd")
    cw = {0: 1.0, 1: 2.0, 2: 0.5}
    val = (x[:70], y[:70])
    ht = tm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0, validation_data=val,
                class_weight=cw)
    hj = jm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0, validation_data=val,
                class_weight=cw)
    _close_history(hj, ht)
    _close_weights(jm, tm)


def test_multi_output_history_matches(tf):
    K = tf.keras
    rng = np.random.default_rng(3)
    x = rng.standard_normal((120, 4)).astype("float32")
    ya, yb = rng.standard_normal((120, 1)).astype("float32"), rng.integers(0, 3, (120,))

    def build(mod, Input, Dense, Model):
        inp = Input((4,), name="inp")
        h = Dense(8, activation="relu", name="hidden")(inp)
        return Model(inp, [Dense(1, name="out_a")(h), Dense(3, activation="softmax",
                                                          name="out_b")(h)])

    tm = build(K, K.Input, K.layers.Dense, K.Model)
    jm = build(jkeras, jkeras.Input, layers.Dense, jkeras.Model)
    jm.set_weights(tm.get_weights())
    for m, mod in ((tm, K), (jm, jkeras)):
        m.compile(mod.optimizers.SGD(0.05), loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=[["mae"], ["accuracy"]], loss_weights=[1.0, 0.5])
    ht = tm.fit(x, [ya, yb], batch_size=32, epochs=3, shuffle=False, verbose=0,
                validation_split=0.25)
    hj = jm.fit(x, [ya, yb], batch_size=32, epochs=3, shuffle=False, verbose=0,
                validation_split=0.25)
    _close_history(hj, ht)
    np.testing.assert_allclose(jm.evaluate(x, [ya, yb], verbose=0),
                               tm.evaluate(x, [ya, yb], verbose=0), rtol=1e-5)
    assert jm.metrics_names == tm.metrics_names


def test_train_on_batch_and_test_on_batch_match(tf):
    tm, jm, x, y = _pair(tf, "mse", "adam")
    for i in range(3):
        a = jm.train_on_batch(x[i * 40:(i + 1) * 40], y[i * 40:(i + 1) * 40])
        b = tm.train_on_batch(x[i * 40:(i + 1) * 40], y[i * 40:(i + 1) * 40])
        np.testing.assert_allclose(a, b, rtol=1e-5)
    np.testing.assert_allclose(jm.test_on_batch(x, y), tm.test_on_batch(x, y), rtol=1e-5)
    np.testing.assert_allclose(jm.predict_on_batch(x), tm.predict_on_batch(x), rtol=1e-5,
                               atol=1e-6)
    _close_weights(jm, tm)


def test_frozen_layer_and_tiny_dataset_match(tf):
    tm, jm, x, y = _pair(tf, "mse", "adamw")
    tm.layers[0].trainable = False
    jm.layers[0].trainable = False
    for m in (tm, jm):  # Keras: trainable weights are fixed at compile time
        m.compile(m.optimizer, loss="mse", metrics=["mae"])
    frozen = jm.get_weights()[:2]
    ht = tm.fit(x[:20], y[:20], batch_size=32, epochs=5, shuffle=False, verbose=0)
    hj = jm.fit(x[:20], y[:20], batch_size=32, epochs=5, shuffle=False, verbose=0)
    _close_history(hj, ht)
    _close_weights(jm, tm)
    for a, b in zip(frozen, jm.get_weights()[:2]):
        np.testing.assert_array_equal(a, b)


def test_steps_per_epoch_continues_through_the_data_as_keras(tf):
    tm, jm, x, y = _pair(tf, "mse", "momentum")
    # 10 batches per pass: epochs take batches 0-3, 4-7, 8-9 (pass ends), 0-3
    with pytest.warns(UserWarning, match="ran out of data"):  # epoch 3 gets 2 of 4 steps
        ht = tm.fit(x, y, batch_size=32, steps_per_epoch=4, epochs=4, shuffle=False, verbose=0)
    with pytest.warns(UserWarning, match="ran out of data"):
        hj = jm.fit(x, y, batch_size=32, steps_per_epoch=4, epochs=4, shuffle=False, verbose=0)
    _close_history(hj, ht)
    _close_weights(jm, tm)

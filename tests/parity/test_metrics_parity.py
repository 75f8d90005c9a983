"""Parity of jkeras.metrics with tf.keras.metrics (Keras 3, TF backend) on CPU, and of the
names / "accuracy" resolution that tf.keras's compile + fit / evaluate produce."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import metrics as M  # noqa: E402

RTOL = 1e-6
ATOL = 2.5e-7  # ~2 float32 ulps at 1.0, see tests/parity/test_losses_parity.py
C = 5


def _batch(kind, rng, n):
    probs = rng.uniform(size=(n, C)).astype(np.float32)
    probs[0, :3] = [0.0, 1.0, 1e-9]
    probs[1, :2] = 0.5  # an argmax tie
    labels = rng.integers(0, C, n)
    labels[:2] = [2, 0]
    onehot = np.eye(C, dtype=np.float32)[labels]
    if kind == "binary":
        return (rng.uniform(size=(n, 1)) > 0.5).astype(np.float32), probs[:, :1]
    if kind == "binary_n":  # labels (N,) against one sigmoid unit
        return (rng.uniform(size=n) > 0.5).astype(np.float32), probs[:, :1]
    if kind == "multilabel":
        return (rng.uniform(size=(n, C)) > 0.5).astype(np.float32), probs
    if kind == "onehot":
        return onehot, probs
    if kind == "logits":
        return onehot, (rng.normal(size=(n, C)) * 4).astype(np.float32)
    if kind == "sparse":
        return labels, probs
    if kind == "sparse_n1":
        return labels[:, None], probs
    if kind == "sparse_logits":
        return labels, (rng.normal(size=(n, C)) * 4).astype(np.float32)
    if kind == "seq":  # (N, T) labels, (N, T, C) scores
        return rng.integers(0, C, (n, 3)), rng.uniform(size=(n, 3, C)).astype(np.float32)
    t = rng.normal(size=(n, 3)).astype(np.float32)
    t[0, 0] = 0.0
    return t, (t + rng.normal(size=(n, 3))).astype(np.float32)


CASES = [
    ("BinaryAccuracy", {}, "binary"), ("BinaryAccuracy", {"threshold": 0.7}, "binary_n"),
    ("BinaryAccuracy", {}, "multilabel"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"), ("SparseCategoricalAccuracy", {}, "sparse_n1"),
    ("SparseCategoricalAccuracy", {}, "seq"),
    ("TopKCategoricalAccuracy", {}, "onehot"), ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse_n1"),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, "seq"),
    ("MeanSquaredError", {}, "regression"), ("MeanAbsoluteError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"),
    ("BinaryCrossentropy", {}, "multilabel"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),  # mask quirk, see base
]


@pytest.mark.parametrize("weights", [None, "n", "n1"])
@pytest.mark.parametrize("name,kw,kind", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_metric_over_three_batches(name, kw, kind, weights):
    rng = np.random.default_rng(len(name) * 31 + len(kind))
    ours, theirs = getattr(M, name)(**kw), getattr(tf.keras.metrics, name)(**kw)
    assert ours.name == theirs.name
    update = jax.jit(ours.update)
    state = ours.init()
    for n in (6, 9, 4):
        yt, yp = _batch(kind, rng, n)
        sw = {None: None, "n": rng.uniform(size=n), "n1": rng.uniform(size=(n, 1))}[weights]
        sw = None if sw is None else sw.astype(np.float32)
        state = update(state, yt, yp, sw)
        theirs.update_state(yt, yp, sample_weight=sw)
        np.testing.assert_allclose(ours.result_from(state), theirs.result(), rtol=RTOL, atol=ATOL)
    # the facade agrees with the pure path
    ours.state = state
    np.testing.assert_allclose(ours.result(), theirs.result(), rtol=RTOL, atol=ATOL)


def test_mean_and_sum_of_values():
    rng = np.random.default_rng(0)
    for name in ("Mean", "Sum"):
        ours, theirs = getattr(M, name)(), getattr(tf.keras.metrics, name)()
        state = ours.init()
        for shape, w in [((5,), (5,)), ((4, 3), (4,)), ((3, 2), (3, 2)), ((), None)]:
            v = rng.normal(size=shape).astype(np.float32)
            sw = None if w is None else rng.uniform(size=w).astype(np.float32)
            state = ours.update(state, v, sample_weight=sw)
            theirs.update_state(v, sample_weight=sw)
        np.testing.assert_allclose(ours.result_from(state), theirs.result(), rtol=RTOL)


def test_config_matches_keras():
    for name, kw in [("BinaryAccuracy", {"threshold": 0.3}), ("TopKCategoricalAccuracy", {"k": 2}),
                     ("SparseTopKCategoricalAccuracy", {}), ("CategoricalCrossentropy", {}),
                     ("SparseCategoricalCrossentropy", {"ignore_class": 1}),
                     ("RootMeanSquaredError", {}), ("Mean", {})]:
        assert getattr(M, name)(**kw).get_config() == getattr(tf.keras.metrics, name)(
            **kw).get_config()


# ----------------------------------------------------------------------------- compile / fit
def _tf_my_metric(y_true, y_pred):
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


def _my_metric(y_true, y_pred):
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


_my_metric.__name__ = _tf_my_metric.__name__ = "my_metric"


def test_history_names_match_tf_keras_fit():
    x = np.random.default_rng(0).uniform(size=(16, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(16) % 3]
    tf_metrics = ["accuracy", "acc", "mse", "mae", "msle", "mape", "mean_squared_error",
                  "binary_accuracy", "top_k_categorical_accuracy", "CategoricalAccuracy",
                  _tf_my_metric, tf.keras.metrics.MeanSquaredError(),
                  tf.keras.metrics.RootMeanSquaredError(name="rmse"), "mse"]
    ours = [M.get(m, y.shape, y.shape, "categorical_crossentropy") for m in
            tf_metrics[:10] + [_my_metric, M.MeanSquaredError(),
                               M.RootMeanSquaredError(name="rmse"), "mse"]]
    tf_weighted, our_weighted = ["accuracy", "mae"], ["accuracy", "mae"]
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, "softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=tf_metrics,
                  weighted_metrics=tf_weighted)
    hist = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    names = M.compile_result_names(
        [m.name for m in ours], [M.get(m, y.shape, y.shape).name for m in our_weighted])
    # What tf.keras 3.15 logs (checked here, written down in jkeras/metrics/__init__.py):
    assert names == ["accuracy", "acc", "mse", "mae", "msle", "mape", "mean_squared_error",
                     "binary_accuracy", "top_k_categorical_accuracy", "CategoricalAccuracy",
                     "my_metric", "mean_squared_error_1", "rmse", "mse_1",
                     "weighted_accuracy", "weighted_mae"]
    expected = {"loss", *names}
    assert set(hist.history) == expected | {f"val_{k}" for k in expected}


@pytest.mark.parametrize("loss,kind,units", [
    ("binary_crossentropy", "binary", 1), ("binary_crossentropy", "binary_n", 1),
    ("binary_crossentropy", "multilabel", C),  # Keras 3: categorical accuracy, not binary
    ("categorical_crossentropy", "onehot", C),
    ("sparse_categorical_crossentropy", "sparse", C),
    ("sparse_categorical_crossentropy", "sparse_n1", C)])
def test_accuracy_resolution_matches_evaluate(loss, kind, units):
    rng = np.random.default_rng(5)
    yt, _ = _batch(kind, rng, 32)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    act = "sigmoid" if loss == "binary_crossentropy" else "softmax"
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(units, act)])
    model.compile("sgd", loss, metrics=["accuracy"], weighted_metrics=["acc"])
    sw = rng.uniform(size=32).astype(np.float32)
    logs = model.evaluate(x, yt, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    yp = model.predict(x, verbose=0)
    plain = M.get("accuracy", yt.shape, yp.shape, loss)
    weighted = M.get("acc", yt.shape, yp.shape, loss)
    # compile's `metrics` never see sample_weight; `weighted_metrics` do
    np.testing.assert_allclose(plain.result_from(plain.update(plain.init(), yt, yp)),
                               logs["accuracy"], rtol=RTOL)
    np.testing.assert_allclose(weighted.result_from(weighted.update(weighted.init(), yt, yp, sw)),
                               logs["acc"], rtol=RTOL)


@pytest.mark.parametrize("name,kind,act", [
    ("BinaryCrossentropy", "binary", "sigmoid"), ("CategoricalCrossentropy", "onehot", "softmax"),
    ("SparseCategoricalCrossentropy", "sparse", "softmax"),
    ("CategoricalAccuracy", "onehot", "softmax"), ("BinaryAccuracy", "binary", "sigmoid")])
def test_metrics_on_probabilities_that_carry_logits(name, kind, act):
    rng = np.random.default_rng(9)
    ours, theirs = getattr(M, name)(), getattr(tf.keras.metrics, name)()
    state = ours.init()
    for n in (6, 9, 4):
        yt, _ = _batch(kind, rng, n)
        z = (rng.normal(size=(n, 1 if kind == "binary" else C)) * 30).astype(np.float32)
        p = getattr(tf.keras.activations, act)(tf.constant(z))
        sw = rng.uniform(size=n).astype(np.float32)
        state = ours.update(state, yt, np.asarray(p), sw, logits=z)
        theirs.update_state(yt, p, sample_weight=sw)
    np.testing.assert_allclose(ours.result_from(state), theirs.result(), rtol=RTOL, atol=ATOL)

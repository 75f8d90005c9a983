"""jkeras.metrics: hand-computed values, pure-state accumulation, facade, lookup."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import losses
from jkeras import metrics as M


def close(a, b, rtol=1e-6, atol=0.0):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, dtype=np.float64), rtol=rtol, atol=atol)


def run(metric, *args, sample_weight=None):
    state = metric.update(metric.init(), *args, sample_weight=sample_weight)
    return metric.result_from(state)


# ----------------------------------------------------------------------------- values
def test_mean_and_sum():
    close(run(M.Mean(), [1.0, 3.0, 5.0, 7.0]), 4.0)
    close(run(M.Mean(), [1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0]), 2.0)
    close(run(M.Mean(), 5.0), 5.0)  # a scalar counts as one sample
    close(run(M.Mean(), [[1.0, 3.0], [5.0, 7.0]]), 4.0)  # per-sample mean first
    close(run(M.Sum(), [1.0, 3.0], sample_weight=[2.0, 1.0]), 5.0)
    close(M.Mean().result_from(M.Mean().init()), 0.0)  # empty: 0, not NaN


def test_binary_accuracy():
    yt, yp = [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]
    close(run(M.BinaryAccuracy(), yt, yp), 0.75)
    close(run(M.BinaryAccuracy(), yt, yp, sample_weight=[1, 0, 0, 1]), 0.5)
    close(run(M.BinaryAccuracy(threshold=0.7), yt, yp), 1.0)
    close(run(M.BinaryAccuracy(), [1, 0], [[0.7], [0.5]]), 1.0)  # (N,) vs (N, 1); 0.5 is not > 0.5


def test_categorical_accuracy_and_ties():
    yt = [[0, 0, 1], [0, 1, 0]]
    yp = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    close(run(M.CategoricalAccuracy(), yt, yp), 0.5)
    close(run(M.CategoricalAccuracy(), yt, yp, sample_weight=[0.7, 0.3]), 0.3)
    # argmax ties go to the first index, for y_pred and for y_true
    close(run(M.CategoricalAccuracy(), [[0, 1, 0]], [[0.5, 0.5, 0.0]]), 0.0)
    close(run(M.CategoricalAccuracy(), [[1, 1, 0]], [[0.5, 0.5, 0.0]]), 1.0)


@pytest.mark.parametrize("yt", [[2, 1], [[2], [1]], np.array([2.0, 1.0])])
def test_sparse_categorical_accuracy(yt):
    yp = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
    close(run(M.SparseCategoricalAccuracy(), yt, yp), 0.5)
    close(run(M.SparseCategoricalAccuracy(), yt, yp, sample_weight=[0.25, 0.75]), 0.75)
    close(run(M.SparseCategoricalAccuracy(), yt, yp, sample_weight=[[0.25], [0.75]]), 0.75)


def test_top_k_accuracies_count_ties_in():
    yt, yp = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    close(run(M.TopKCategoricalAccuracy(k=1), yt, yp), 0.5)
    close(run(M.TopKCategoricalAccuracy(k=2), yt, yp), 1.0)
    close(run(M.SparseTopKCategoricalAccuracy(k=1), [2, 1], yp), 0.5)
    close(run(M.SparseTopKCategoricalAccuracy(k=1), [[2], [1]], yp, sample_weight=[3, 1]), 0.25)
    # tf.math.in_top_k: classes tied with the k-th score are all "in"
    close(run(M.SparseTopKCategoricalAccuracy(k=1), [2], [[0.5, 0.5, 0.5]]), 1.0)
    # a non-finite score is never in the top k, an out-of-range label neither
    close(run(M.SparseTopKCategoricalAccuracy(k=3), [0, 5], [[np.nan, 0, 1], [0, 1, 2]]), 0.0)
    close(run(M.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True), [3, 1],
              [[3, 0, 1], [0, 2, 1]]), 0.5)


def test_regression_metrics():
    yt, yp = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    close(run(M.MeanSquaredError(), yt, yp), 0.5)
    close(run(M.MeanAbsoluteError(), yt, [[3.0, 1.0], [0.0, 0.0]]), 0.75)
    close(run(M.RootMeanSquaredError(), [[0.0], [0.0]], [[3.0], [4.0]]), math.sqrt(12.5))
    close(run(M.RootMeanSquaredError(), [[0.0], [0.0]], [[3.0], [4.0]], sample_weight=[1, 0]), 3.0)
    close(run(M.MeanAbsolutePercentageError(), [[2.0, 4.0]], [[1.0, 5.0]]), 37.5)


def test_crossentropy_metrics_are_means_of_the_losses():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=6).astype(np.float32)
    labels = rng.integers(0, 4, 6)
    onehot = np.eye(4, dtype=np.float32)[labels]
    sw = rng.uniform(size=6).astype(np.float32)
    for metric, loss, yt in [
        (M.CategoricalCrossentropy(label_smoothing=0.1),
         losses.CategoricalCrossentropy(label_smoothing=0.1), onehot),
        (M.SparseCategoricalCrossentropy(), losses.SparseCategoricalCrossentropy(), labels),
        (M.BinaryCrossentropy(), losses.BinaryCrossentropy(), onehot),
    ]:
        per = loss.call(jnp.asarray(yt), jnp.asarray(p))
        close(run(metric, yt, p), np.mean(per), rtol=1e-6)
        close(run(metric, yt, p, sample_weight=sw), np.sum(per * sw) / np.sum(sw), rtol=1e-6)


def test_mean_metric_wrapper_of_a_function():
    def abs_diff(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    m = M.MeanMetricWrapper(abs_diff)
    assert m.name == "abs_diff"
    close(run(m, [[1.0], [2.0]], [[0.0], [0.0]]), 1.5)


# ----------------------------------------------------------------------------- pure state
def _data(rng, n=10):
    yp = rng.uniform(size=(n, 4)).astype(np.float32)
    labels = rng.integers(0, 4, n)
    return labels, np.eye(4, dtype=np.float32)[labels], yp, rng.uniform(size=n).astype(np.float32)


@pytest.mark.parametrize("make,sparse", [
    (M.CategoricalAccuracy, False), (M.SparseCategoricalAccuracy, True),
    (lambda: M.TopKCategoricalAccuracy(k=2), False),
    (lambda: M.SparseTopKCategoricalAccuracy(k=2), True), (M.BinaryAccuracy, False),
    (M.MeanSquaredError, False), (M.RootMeanSquaredError, False), (M.MeanAbsoluteError, False),
    (M.CategoricalCrossentropy, False), (M.SparseCategoricalCrossentropy, True)])
def test_batches_accumulate_to_the_whole(make, sparse):
    labels, onehot, yp, sw = _data(np.random.default_rng(1))
    yt = labels if sparse else onehot
    m = make()
    whole = run(m, yt, yp, sample_weight=sw)
    update = jax.jit(m.update)
    state = m.init()
    for s in (slice(0, 3), slice(3, 7), slice(7, 10)):
        state = update(state, yt[s], yp[s], sw[s])
    close(jax.jit(m.result_from)(state), whole, rtol=1e-6)
    assert all(v.dtype == jnp.float32 and v.shape == () for v in state.values())
    # the facade gives the same, and reset_state starts over
    for s in (slice(0, 5), slice(5, 10)):
        m.update_state(yt[s], yp[s], sample_weight=sw[s])
    close(m.result(), whole, rtol=1e-6)
    m.reset_state()
    close(m.result(), 0.0)


def test_state_runs_inside_lax_scan():
    labels, onehot, yp, _ = _data(np.random.default_rng(2), n=12)
    m = M.SparseCategoricalAccuracy()

    def step(state, batch):
        return m.update(state, *batch), None

    state, _ = jax.lax.scan(step, m.init(), (labels.reshape(3, 4), yp.reshape(3, 4, 4)))
    close(m.result_from(state), np.mean(np.argmax(yp, -1) == labels))


def test_call_updates_and_returns_result():
    m = M.Mean()
    close(m([1.0, 2.0]), 1.5)
    close(m([6.0]), 3.0)
    assert m.get_config() == {"name": "mean", "dtype": "float32"}


# ----------------------------------------------------------------------------- "accuracy"
@pytest.mark.parametrize("t,p,loss,cls", [
    ((None, 1), (None, 1), None, M.BinaryAccuracy),
    ((None,), (None, 1), None, M.BinaryAccuracy),
    ((None,), (None, 10), None, M.SparseCategoricalAccuracy),
    ((None, 1), (None, 10), None, M.SparseCategoricalAccuracy),
    ((None, 10), (None, 10), None, M.CategoricalAccuracy),
    # Keras 3 goes by shapes even when the loss says otherwise (multi-label BCE)
    ((None, 3), (None, 3), "binary_crossentropy", M.CategoricalAccuracy),
    # with unknown shapes the loss decides
    (None, None, "binary_crossentropy", M.BinaryAccuracy),
    (None, None, losses.BinaryCrossentropy(from_logits=True), M.BinaryAccuracy),
    (None, None, "sparse_categorical_crossentropy", M.SparseCategoricalAccuracy),
    (None, (None, 5), losses.SparseCategoricalCrossentropy(), M.SparseCategoricalAccuracy),
    (None, None, "categorical_crossentropy", M.CategoricalAccuracy),
    (None, None, None, M.AutoAccuracy), (None, None, "mse", M.AutoAccuracy),
])
def test_accuracy_resolution(t, p, loss, cls):
    for ident in ("accuracy", "acc", "Accuracy"):
        m = M.get(ident, y_true_shape=t, y_pred_shape=p, loss=loss)
        assert type(m) is cls and m.name == ident


def test_auto_accuracy_decides_from_arrays():
    m = M.get("accuracy")
    close(run(m, [[1.0], [0.0]], [[0.9], [0.7]]), 0.5)                      # binary
    close(run(m, [1, 2], [[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]]), 0.5)          # sparse
    close(run(m, [[0, 1.0, 0], [0, 0, 1.0]], [[0.1, 0.8, 0.1]] * 2), 0.5)   # categorical


# ----------------------------------------------------------------------------- lookup
@pytest.mark.parametrize("ident,cls", [
    ("mse", M.MeanSquaredError), ("MSE", M.MeanSquaredError),
    ("mean_squared_error", M.MeanSquaredError), ("MeanSquaredError", M.MeanSquaredError),
    ("mae", M.MeanAbsoluteError), ("mape", M.MeanAbsolutePercentageError),
    ("msle", M.MeanSquaredLogarithmicError), ("root_mean_squared_error", M.RootMeanSquaredError),
    ("binary_accuracy", M.BinaryAccuracy), ("categorical_accuracy", M.CategoricalAccuracy),
    ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", M.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", M.SparseTopKCategoricalAccuracy),
    ("bce", M.BinaryCrossentropy), ("binary_crossentropy", M.BinaryCrossentropy),
    ("categorical_crossentropy", M.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", M.SparseCategoricalCrossentropy),
    ("CategoricalAccuracy", M.CategoricalAccuracy)])
def test_get_strings_keep_their_spelling(ident, cls):
    m = M.get(ident)
    assert type(m) is cls and m.name == ident


def test_get_instances_callables_unknown():
    inst = M.MeanSquaredError(name="foo")
    assert M.get(inst) is inst and inst.name == "foo"
    assert M.get(M.RootMeanSquaredError).name == "root_mean_squared_error"

    def myMetric(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    w = M.get(myMetric)
    assert isinstance(w, M.MeanMetricWrapper) and w.name == "my_metric"
    assert M.get(losses.mean_squared_error).name == "mean_squared_error"
    assert M.get(None) is None
    with pytest.raises(ValueError, match=r"Could not interpret metric identifier: 'foo'"):
        M.get("foo")


def test_compile_result_names():
    assert M.compile_result_names(["mse", "mse", "acc"]) == ["mse", "mse_1", "acc"]
    assert M.compile_result_names(["accuracy"], ["accuracy", "mse", "accuracy"]) == [
        "accuracy", "weighted_accuracy", "mse", "weighted_accuracy_1"]


@pytest.mark.parametrize("metric", [
    M.BinaryAccuracy(threshold=0.3), M.TopKCategoricalAccuracy(k=3),
    M.SparseTopKCategoricalAccuracy(k=2), M.CategoricalCrossentropy(from_logits=True),
    M.SparseCategoricalCrossentropy(ignore_class=0), M.RootMeanSquaredError(name="r"),
    M.Mean(name="m")])
def test_config_round_trip(metric):
    cfg = metric.get_config()
    assert cfg["name"] == metric.name and cfg["dtype"] == "float32"
    assert type(metric).from_config(cfg).get_config() == cfg
    assert M.deserialize(M.serialize(metric)).get_config() == cfg


def test_crossentropy_metrics_use_logits_when_given():
    z = np.array([[40.0], [-40.0]], np.float32)
    y = np.array([[0.0], [1.0]], np.float32)
    p = np.asarray(jax.nn.sigmoid(z))
    m = M.BinaryCrossentropy()
    close(m.result_from(m.update(m.init(), y, p, logits=z)), 40.0, rtol=1e-6)
    acc = M.BinaryAccuracy()  # accuracies look at the probabilities only
    close(acc.result_from(acc.update(acc.init(), y, p, logits=z)), 0.0)

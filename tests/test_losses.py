"""jkeras.losses: hand-computed values, reductions, shape checks, lookup (no TensorFlow)."""
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import losses

F32_EPS = np.float32(1e-7)


def close(a, b, rtol=1e-6, atol=0.0):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, dtype=np.float64), rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- values
def test_mse_mae_per_sample_and_reduced():
    yt, yp = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    close(losses.MeanSquaredError().call(jnp.asarray(yt), jnp.asarray(yp)), [0.5, 0.5])
    close(losses.MeanSquaredError()(yt, yp), 0.5)
    close(losses.mean_absolute_error(yt, [[3.0, 1.0], [1.0, 2.0]]), [1.5, 1.5])
    # 1-D inputs: the last axis is the only axis, so Keras gives one scalar.
    close(losses.MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]), 0.02)


def test_labels_n_against_predictions_n1_are_aligned_not_broadcast():
    yt = jnp.array([0.0, 1.0, 2.0])
    yp = jnp.array([[0.0], [1.0], [4.0]])
    out = losses.MeanSquaredError().call(yt, yp)
    assert out.shape == (3,)
    close(out, [0.0, 0.0, 4.0])


def test_mape_msle_huber():
    close(losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]]), [37.5])
    # y_true == 0 divides by epsilon, as Keras
    close(losses.mape([[0.0]], [[1e-7]]), [100.0], rtol=1e-5)
    close(losses.msle([[0.0]], [[math.e - 1]]), [1.0], rtol=1e-6)
    close(losses.msle([[-5.0]], [[0.0]]), [0.0], atol=1e-12)  # both clamp at epsilon
    # |err| = 0.5 -> 0.125 (quadratic); |err| = 2 -> 2 - 0.5 = 1.5 (linear)
    close(losses.Huber()([[0.0, 0.0]], [[0.5, 2.0]]), 0.8125)
    close(losses.Huber(delta=2.0).call(jnp.array([[0.0]]), jnp.array([[3.0]])), [4.0])


def test_binary_crossentropy_probabilities():
    yt, yp = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
    s1 = (-math.log(0.4) - math.log(0.4)) / 2
    s2 = (-math.log(0.6) - math.log(0.4)) / 2
    close(losses.BinaryCrossentropy().call(jnp.asarray(yt), jnp.asarray(yp)), [s1, s2])
    close(losses.BinaryCrossentropy()(yt, yp), (s1 + s2) / 2)


def test_binary_crossentropy_clips_at_zero_and_one():
    bce = losses.BinaryCrossentropy(reduction="none")
    # right answers at exactly 0/1 cost -log(1 - 1e-7), wrong ones -log(1e-7): finite.
    right = bce([[0.0], [1.0]], [[0.0], [1.0]])
    wrong = bce([[1.0], [0.0]], [[0.0], [1.0]])
    close(right, [-np.log(np.float32(1) - F32_EPS)] * 2, rtol=1e-5)
    hi = np.float32(1) - F32_EPS  # float32(1 - 1e-7) = 1 - 1.19e-7
    close(wrong, [-np.log(F32_EPS), -np.log(np.float32(1) - hi)], rtol=1e-6)
    assert np.all(np.isfinite(wrong))


def test_binary_crossentropy_from_logits_and_smoothing():
    x = [-18.6, 0.51, 2.94, -12.8]
    z = [0.0, 1.0, 0.0, 0.0]
    per = [max(v, 0) - v * t + math.log1p(math.exp(-abs(v))) for v, t in zip(x, z)]
    close(losses.BinaryCrossentropy(from_logits=True)(z, x), sum(per) / 4)
    # smoothing squeezes labels towards 0.5: 1 -> 0.9, 0 -> 0.1 for 0.2
    p = 0.7
    expect = -(0.9 * math.log(p) + 0.1 * math.log(1 - p))
    close(losses.BinaryCrossentropy(label_smoothing=0.2)([[1.0]], [[p]]), expect)
    # tiny losses keep their digits (tf's op order): logit 20, label 1
    close(losses.binary_crossentropy([[1.0]], [[20.0]], from_logits=True),
          [math.log1p(math.exp(-20.0))], rtol=1e-5)


def test_binary_crossentropy_logit_gradient_at_zero():
    g = jax.grad(lambda x: losses.BinaryCrossentropy(from_logits=True)([[1.0], [0.0]], x))(
        jnp.zeros((2, 1)))
    close(g, [[(0.5 - 1.0) / 2], [(0.5 - 0.0) / 2]])


def test_categorical_crossentropy():
    yt = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    yp = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    per = [-math.log(0.95), -math.log(0.1)]
    close(losses.CategoricalCrossentropy(reduction=None)(yt, yp), per, rtol=1e-6)
    # probabilities are renormalised by their sum first
    close(losses.categorical_crossentropy([[0.0, 1.0, 0.0]], [[1.0, 2.0, 1.0]]),
          [-math.log(0.5)])
    # label smoothing spreads 0.3 over 3 classes: [0.1, 0.8, 0.1]
    p = [0.2, 0.5, 0.3]
    expect = -(0.1 * math.log(0.2) + 0.8 * math.log(0.5) + 0.1 * math.log(0.3))
    close(losses.CategoricalCrossentropy(label_smoothing=0.3)([[0.0, 1.0, 0.0]], [p]), expect)


def test_categorical_crossentropy_from_logits_and_axis():
    logits = np.array([[1.0, 2.0, 3.0]], np.float32)
    lsm = logits - np.log(np.exp(logits).sum())
    close(losses.CategoricalCrossentropy(from_logits=True)([[0, 0, 1.0]], logits), -lsm[0, 2])
    # axis=0: classes along the first axis
    out = losses.categorical_crossentropy(np.eye(3)[:, :2], np.full((3, 2), 1 / 3), axis=0)
    close(out, [math.log(3)] * 2, rtol=1e-6)


def test_sparse_categorical_crossentropy():
    yp = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    # clipped p is renormalised by the log-softmax tf applies: 0.95 / (1 + 1e-7)
    per = [-math.log(0.95 / (1 + 1e-7)), -math.log(0.1)]
    for yt in ([1, 2], [[1], [2]], np.array([1.0, 2.0])):
        close(losses.SparseCategoricalCrossentropy(reduction=None)(yt, yp), per, rtol=1e-6)
    logits = np.array([[1.0, 2.0, 3.0]], np.float32)
    close(losses.SparseCategoricalCrossentropy(from_logits=True)([0], logits),
          -(1 - np.log(np.exp(logits).sum())), rtol=1e-6)


def test_sparse_ignore_class_masks_the_mean():
    yp = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]], np.float32)
    yt = np.array([1, -1, 0])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    close(loss.call(yt, yp), [-math.log(0.8), 0.0, -math.log(0.9)], rtol=1e-5)
    close(loss(yt, yp), (-math.log(0.8) - math.log(0.9)) / 2, rtol=1e-5)  # over 2 valid
    close(losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction="sum")(yt, yp),
          -math.log(0.8) - math.log(0.9), rtol=1e-5)


def test_sparse_out_of_range_label_is_nan():
    assert np.isnan(losses.sparse_categorical_crossentropy([3], [[0.5, 0.5]])[0])


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("reduction,expected", [
    ("sum_over_batch_size", 15 / 4), ("mean", 15 / 4), ("sum", 15.0),
    ("mean_with_sample_weight", 3.0), ("none", [1.0, 0.0, 6.0, 8.0]),
    (None, [1.0, 0.0, 6.0, 8.0])])
def test_reductions_with_sample_weight(reduction, expected):
    yt = np.zeros((4, 1), np.float32)
    yp = np.sqrt(np.array([[1.0], [2.0], [3.0], [4.0]], np.float32))  # squared errors 1..4
    sw = np.array([1.0, 0.0, 2.0, 2.0], np.float32)
    close(losses.MeanSquaredError(reduction=reduction)(yt, yp, sample_weight=sw), expected,
          rtol=1e-6)


def test_sample_weight_broadcasting():
    yt = np.zeros((2, 3, 2), np.float32)
    yp = np.ones((2, 3, 2), np.float32)  # per-(sample, step) mse = 1
    mse = losses.MeanSquaredError()
    close(mse(yt, yp), 1.0)
    close(mse(yt, yp, sample_weight=2.0), 2.0)                       # scalar
    close(mse(yt, yp, sample_weight=[[1.0], [0.0]]), 0.5)            # (N, 1)
    close(mse(yt, yp, sample_weight=[[1, 0, 0], [0, 0, 1.0]]), 2 / 6)  # (N, T)
    with pytest.raises(ValueError):  # (N,) against (N, T) values: tf.keras fails too
        mse(yt, yp, sample_weight=[1.0, 0.0])
    close(mse(yt[:, 0], yp[:, 0], sample_weight=[1.0, 0.0]), 0.5)    # (N,) for 2-D y


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


# ----------------------------------------------------------------------------- jax transforms
def _all_losses(rng):
    p = rng.uniform(0.01, 0.99, (4, 3)).astype(np.float32)
    p[0, 0], p[1, 1] = 0.0, 1.0  # exact 0 / 1 probabilities
    logits = rng.normal(size=(4, 3)).astype(np.float32)
    logits[0, 0] = 0.0
    onehot = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    labels = np.array([0, 1, 2, 1])
    reg_t = rng.normal(size=(4, 3)).astype(np.float32)
    return [
        (losses.MeanSquaredError(), reg_t, logits),
        (losses.MeanAbsoluteError(), reg_t, logits + 0.5),
        (losses.MeanAbsolutePercentageError(), reg_t, logits + 0.5),
        (losses.MeanSquaredLogarithmicError(), np.abs(reg_t), p),
        (losses.Huber(), reg_t, logits),
        (losses.BinaryCrossentropy(), onehot, p),
        (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), onehot, logits),
        (losses.CategoricalCrossentropy(), onehot, p),
        (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), onehot, logits),
        (losses.SparseCategoricalCrossentropy(), labels, p),
        (losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits),
        (losses.SparseCategoricalCrossentropy(ignore_class=1), labels, p),
    ]


@pytest.mark.parametrize("i", range(12))
def test_jit_equals_eager_and_grad_is_finite(i):
    loss, yt, yp = _all_losses(np.random.default_rng(i))[i]
    sw = np.linspace(0.5, 1.5, 4).astype(np.float32)
    eager = loss(yt, yp, sample_weight=sw)
    jitted = jax.jit(lambda a, b, w: loss(a, b, sample_weight=w))(yt, yp, sw)
    close(jitted, eager, rtol=1e-6)
    grad = jax.grad(lambda b: loss(yt, b))(jnp.asarray(yp))
    assert grad.shape == yp.shape and np.all(np.isfinite(grad)), loss.name
    # vmap over samples of the per-sample call gives the batched call
    per = jax.vmap(lambda a, b: loss.call(a[None], b[None])[0])(jnp.asarray(yt), jnp.asarray(yp))
    close(per, loss.call(jnp.asarray(yt), jnp.asarray(yp, jnp.float32)), rtol=1e-6)


# ----------------------------------------------------------------------------- shape checks
@pytest.mark.parametrize("loss,t,p,match", [
    (losses.SparseCategoricalCrossentropy(), (None, 10), (None, 10), "CategoricalCrossentropy"),
    (losses.SparseCategoricalCrossentropy(), (32, 10), (32, 10), "one-hot"),
    (losses.CategoricalCrossentropy(), (None,), (None, 10), "SparseCategoricalCrossentropy"),
    (losses.CategoricalCrossentropy(), (None, 1), (None, 10), "SparseCategoricalCrossentropy"),
    (losses.CategoricalCrossentropy(), (None, 3), (None, 4), "same shape"),
    (losses.BinaryCrossentropy(), (8,), (8, 5), "SparseCategoricalCrossentropy"),
    (losses.MeanSquaredError(), (8, 2), (8, 5), "broadcastable"),
])
def test_check_shapes_errors(loss, t, p, match):
    with pytest.raises(ValueError, match=match) as info:
        loss.check_shapes(t, p)
    msg = str(info.value)
    assert loss.name in msg and str(p[-1]) in msg and "Received" in msg


@pytest.mark.parametrize("loss,t,p", [
    (losses.SparseCategoricalCrossentropy(), (None,), (None, 10)),
    (losses.SparseCategoricalCrossentropy(), (None, 1), (None, 10)),
    (losses.SparseCategoricalCrossentropy(), (4, 7), (4, 7, 3)),
    (losses.CategoricalCrossentropy(), (None, 10), (None, 10)),
    (losses.BinaryCrossentropy(), (None,), (None, 1)),
    (losses.BinaryCrossentropy(), (None, 1), (None, 1)),
    (losses.BinaryCrossentropy(), (None, 5), (None, 5)),
    (losses.MeanSquaredError(), (None,), (None, 1)),
    (losses.MeanSquaredError(), (None, 3), (None, 3)),
    (losses.Huber(), [16, 1], [16]),
])
def test_check_shapes_passes(loss, t, p):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss.check_shapes(t, p)


def test_call_raises_the_same_clear_error():
    with pytest.raises(ValueError, match="SparseCategoricalCrossentropy"):
        losses.CategoricalCrossentropy()(np.array([1, 2]), np.full((2, 3), 1 / 3))


def test_cce_single_unit_warns():
    with pytest.warns(UserWarning, match="binary_crossentropy"):
        losses.CategoricalCrossentropy().check_shapes((None, 1), (None, 1))


# ----------------------------------------------------------------------------- lookup
@pytest.mark.parametrize("ident,cls,name", [
    ("mse", losses.MeanSquaredError, "mean_squared_error"),
    ("MSE", losses.MeanSquaredError, "mean_squared_error"),
    ("mean_squared_error", losses.MeanSquaredError, "mean_squared_error"),
    ("MeanSquaredError", losses.MeanSquaredError, "mean_squared_error"),
    ("mae", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("mean_absolute_error", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("msle", losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"),
    ("mape", losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("huber", losses.Huber, "huber_loss"),
    ("huber_loss", losses.Huber, "huber_loss"),
    ("Huber", losses.Huber, "huber_loss"),
    ("bce", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("binary_crossentropy", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("categorical_crossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"),
    ("CategoricalCrossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"),
    (losses.mean_squared_error, losses.MeanSquaredError, "mean_squared_error"),
    (losses.SparseCategoricalCrossentropy, losses.SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"),
])
def test_get_aliases(ident, cls, name):
    loss = losses.get(ident)
    assert type(loss) is cls and loss.name == name


def test_get_instance_callable_and_unknown():
    inst = losses.Huber(delta=3.0)
    assert losses.get(inst) is inst and losses.get(None) is None

    def my_loss(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)

    w = losses.get(my_loss)
    assert isinstance(w, losses.LossFunctionWrapper) and w.name == "my_loss"
    close(w([[0.0, 2.0]], [[1.0, 1.0]], sample_weight=[3.0]), 3.0)
    # a function returning a scalar is reduced as Keras does (kept as is)
    close(losses.get(lambda a, b: jnp.sum(b))([[1.0]], [[2.0, 3.0]]), 5.0)
    with pytest.raises(ValueError, match=r"Could not interpret loss identifier: 'foo'.*mse"):
        losses.get("foo")


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum", name="m"), losses.Huber(delta=2.5),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=-1),
    losses.CategoricalCrossentropy(label_smoothing=0.2),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    losses.MeanAbsolutePercentageError(), losses.MeanSquaredLogarithmicError()])
def test_config_round_trip(loss):
    cfg = loss.get_config()
    assert cfg["name"] == loss.name and cfg["reduction"] == loss.reduction
    again = type(loss).from_config(cfg)
    assert again.get_config() == cfg
    ser = losses.serialize(loss)
    assert ser["class_name"] == type(loss).__name__ and ser["module"] == "keras.losses"
    assert losses.deserialize(ser).get_config() == cfg
    assert losses.get(ser).get_config() == cfg


def test_keras_config_keys():
    assert losses.BinaryCrossentropy().get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    assert losses.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "ignore_class": None}
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error
    assert losses.deserialize("mse").name == "mean_squared_error"


def test_logits_argument_for_saturated_outputs():
    # tf.keras computes crossentropies of a sigmoid/softmax output from its logits
    z = jnp.array([[40.0], [-40.0]])
    y = jnp.array([[0.0], [1.0]])
    p = jax.nn.sigmoid(z)  # exactly 1 and 0 in float32
    bce = losses.BinaryCrossentropy()
    clipped = bce(y, p)
    assert float(clipped) < 17.0  # -log(1e-7)-ish: the clip caps it
    close(bce(y, p, logits=z), 40.0, rtol=1e-6)
    g = jax.grad(lambda zz: bce(y, jax.nn.sigmoid(zz), logits=zz))(z)
    close(g, [[0.5], [-0.5]], rtol=1e-6)  # (sigmoid(z) - y) / 2, not 0 as through the clip
    zc = jnp.array([[30.0, 0.0, -30.0]])
    cce = losses.CategoricalCrossentropy(label_smoothing=0.1)
    close(cce([[0.0, 0.0, 1.0]], jax.nn.softmax(zc), logits=zc),
          losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(
              [[0.0, 0.0, 1.0]], zc))
    close(losses.SparseCategoricalCrossentropy()([2], jax.nn.softmax(zc), logits=zc), 60.0,
          rtol=1e-6)
    # losses other than crossentropies ignore logits
    close(losses.MeanSquaredError()(y, p, logits=z), losses.MeanSquaredError()(y, p))

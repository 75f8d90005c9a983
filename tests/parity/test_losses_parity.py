"""Parity of jkeras.losses with tf.keras.losses (Keras 3, TF backend) on CPU, rtol 1e-6."""
import os
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import losses as L  # noqa: E402

RTOL = 1e-6
# Plus ~2 float32 ulps at 1.0: a small loss computed as log(sum(exp(.))) ~ log(1.06) carries
# the rounding of an O(1) number. TF itself moves that much with the batch size (Eigen's
# vectorised exp): its sparse CE of one row gives 0.058268853 alone and 0.058268968 inside
# a batch of 16 (exact: 0.0582688856); ours gives 0.058268853.
ATOL = 2.5e-7
N, C = 16, 5
# probabilities that hit the clip: exact 0/1, inside and just outside [1e-7, 1 - 1e-7]
EXTREME = np.array([0.0, 1e-9, 1e-7, 3e-7, 1e-5, 0.5, 1 - 1e-5, 1 - 1e-7, 1 - 1e-8, 1.0],
                   np.float32)


def _inputs(seed, shape=(N, C)):
    rng = np.random.default_rng(seed)
    probs = rng.uniform(size=shape).astype(np.float32)
    flat = probs.reshape(-1)
    flat[: EXTREME.size] = EXTREME  # extremes land in the first rows
    dist = rng.dirichlet(np.full(shape[-1], 0.3), size=shape[:-1]).astype(np.float32)
    dist[0] = 0.0
    dist[0, ..., 1] = 1.0  # a row that is exactly one-hot
    logits = (rng.normal(size=shape) * 6).astype(np.float32)
    logits.reshape(-1)[:3] = [0.0, 40.0, -40.0]
    labels = rng.integers(0, shape[-1], shape[:-1])
    onehot = np.eye(shape[-1], dtype=np.float32)[labels]
    binary = (rng.uniform(size=shape) > 0.5).astype(np.float32)
    reg_t = rng.normal(size=shape).astype(np.float32)
    reg_t.reshape(-1)[:2] = 0.0  # MAPE's epsilon branch
    reg_p = (reg_t + rng.normal(size=shape) * rng.choice([0.3, 3.0], size=shape)).astype(
        np.float32)
    return dict(probs=probs, dist=dist, logits=logits, labels=labels, onehot=onehot,
                binary=binary, reg_t=reg_t, reg_p=reg_p, rng=rng)


def _weights(kind, rng, n=N):
    return {None: None, "n": rng.uniform(size=n).astype(np.float32),
            "n1": rng.uniform(size=(n, 1)).astype(np.float32), "scalar": np.float32(2.5),
            "zeros": np.zeros(n, np.float32)}[kind]


# (class name, kwargs, y_true key, y_pred key)
CASES = [
    ("MeanSquaredError", {}, "reg_t", "reg_p"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    ("MeanAbsolutePercentageError", {}, "reg_t", "reg_p"),
    ("MeanSquaredLogarithmicError", {}, "reg_t", "reg_p"),
    ("Huber", {}, "reg_t", "reg_p"),
    ("Huber", {"delta": 0.3}, "reg_t", "reg_p"),
]
for _ls in (0.0, 0.1):
    CASES += [
        ("BinaryCrossentropy", {"label_smoothing": _ls}, "binary", "probs"),
        ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": _ls}, "binary", "logits"),
        ("CategoricalCrossentropy", {"label_smoothing": _ls}, "onehot", "dist"),
        ("CategoricalCrossentropy", {"label_smoothing": _ls}, "onehot", "probs"),  # unnormalised
        ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": _ls}, "onehot",
         "logits"),
    ]
CASES += [
    ("BinaryCrossentropy", {"axis": 0}, "binary", "probs"),
    ("CategoricalCrossentropy", {"axis": 0}, "onehot", "dist"),
    ("SparseCategoricalCrossentropy", {}, "labels", "dist"),
    ("SparseCategoricalCrossentropy", {}, "labels", "probs"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "labels", "logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "labels", "dist"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0}, "labels",
     "logits"),
]
IDS = [f"{c}-{kw}-{p}" for c, kw, _, p in CASES]


def _check(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("weights", [None, "n", "n1", "scalar"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", None])
def test_loss_matches_tf(case, weights, reduction):
    name, kw, t_key, p_key = case
    data = _inputs(zlib.crc32(f"{name}{p_key}".encode()) % 1000)
    yt, yp = data[t_key], data[p_key]
    if kw.get("axis") == 0 and weights in ("n", "n1"):
        pytest.skip("axis=0 leaves one value per class, not per sample")
    sw = _weights(weights, data["rng"])
    ours = getattr(L, name)(reduction=reduction, **kw)(yt, yp, sample_weight=sw)
    theirs = getattr(tf.keras.losses, name)(reduction=reduction, **kw)(yt, yp, sample_weight=sw)
    _check(ours, theirs)


@pytest.mark.parametrize("reduction", ["sum", "mean", "mean_with_sample_weight",
                                       "sum_over_batch_size"])
@pytest.mark.parametrize("case", [c for c in CASES[::3] if "axis" not in c[1]],
                         ids=[i for c, i in zip(CASES[::3], IDS[::3]) if "axis" not in c[1]])
def test_other_reductions_and_zero_weights(case, reduction):
    name, kw, t_key, p_key = case
    data = _inputs(7)
    yt, yp = data[t_key], data[p_key]
    for kind in ("n", "zeros"):
        sw = _weights(kind, data["rng"])
        ours = getattr(L, name)(reduction=reduction, **kw)(yt, yp, sample_weight=sw)
        theirs = getattr(tf.keras.losses, name)(reduction=reduction, **kw)(yt, yp, sample_weight=sw)
        _check(ours, theirs)


@pytest.mark.parametrize("name,kw,yt_shape,yp_shape", [
    ("BinaryCrossentropy", {}, (N,), (N, 1)),            # labels (N,), one sigmoid unit
    ("BinaryCrossentropy", {"from_logits": True}, (N,), (N, 1)),
    ("MeanSquaredError", {}, (N,), (N, 1)),
    ("MeanSquaredError", {}, (N,), (N,)),               # 1-D: one scalar per batch
    ("SparseCategoricalCrossentropy", {}, (N, 1), (N, C)),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, (N, 7), (N, 7, C)),  # sequences
    ("CategoricalCrossentropy", {"from_logits": True}, (N, 7, C), (N, 7, C)),
    ("Huber", {}, (N, 7, 3), (N, 7, 3)),
])
@pytest.mark.parametrize("weights", [None, "n"])
def test_shape_variants(name, kw, yt_shape, yp_shape, weights):
    rng = np.random.default_rng(3)
    if name.startswith("Sparse"):
        yt = rng.integers(0, C, yt_shape)
    else:
        yt = (rng.uniform(size=yt_shape) > 0.5).astype(np.float32)
    yp = rng.uniform(size=yp_shape).astype(np.float32)
    if kw.get("from_logits"):
        yp = (yp - 0.5) * 10
    sw = _weights(weights, rng)
    if sw is not None and len(yp_shape) == 3:
        sw = rng.uniform(size=yp_shape[:2]).astype(np.float32)  # per-timestep weights
    for reduction in ("sum_over_batch_size", None):
        ours = getattr(L, name)(reduction=reduction, **kw)(yt, yp, sample_weight=sw)
        theirs = getattr(tf.keras.losses, name)(reduction=reduction, **kw)(yt, yp,
                                                                          sample_weight=sw)
        assert np.shape(ours) == tuple(theirs.shape)
        _check(ours, theirs)


@pytest.mark.parametrize("fn,kw,t_key,p_key", [
    ("mse", {}, "reg_t", "reg_p"), ("mae", {}, "reg_t", "reg_p"),
    ("mape", {}, "reg_t", "reg_p"), ("msle", {}, "reg_t", "reg_p"),
    ("huber", {"delta": 0.5}, "reg_t", "reg_p"),
    ("binary_crossentropy", {"label_smoothing": 0.2}, "binary", "probs"),
    ("binary_crossentropy", {"from_logits": True}, "binary", "logits"),
    ("categorical_crossentropy", {"label_smoothing": 0.1}, "onehot", "dist"),
    ("categorical_crossentropy", {"from_logits": True}, "onehot", "logits"),
    ("sparse_categorical_crossentropy", {}, "labels", "probs"),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "labels", "logits"),
])
def test_function_forms_are_per_sample(fn, kw, t_key, p_key):
    data = _inputs(11)
    ours = getattr(L, fn)(data[t_key], data[p_key], **kw)
    theirs = getattr(tf.keras.losses, fn)(data[t_key], data[p_key], **kw)
    assert np.shape(ours) == tuple(theirs.shape) == (N,)
    _check(ours, theirs)


@pytest.mark.parametrize("name", ["MeanSquaredError", "Huber", "BinaryCrossentropy",
                                  "CategoricalCrossentropy", "SparseCategoricalCrossentropy"])
def test_names_and_config_keys_match(name):
    ours, theirs = getattr(L, name)(), getattr(tf.keras.losses, name)()
    assert ours.name == theirs.name
    tf_cfg = theirs.get_config()
    our_cfg = ours.get_config()
    assert {k: our_cfg[k] for k in tf_cfg} == tf_cfg  # ours may add Huber's delta


@pytest.mark.parametrize("name,act,t_key", [
    ("BinaryCrossentropy", "sigmoid", "binary"),
    ("BinaryCrossentropy", "softmax", "binary"),      # Keras quirk: sigmoid BCE of the logits
    ("CategoricalCrossentropy", "softmax", "onehot"),
    ("SparseCategoricalCrossentropy", "softmax", "labels"),
    ("MeanSquaredError", "softmax", "onehot"),        # non-crossentropies ignore logits
])
def test_probabilities_that_carry_logits(name, act, t_key):
    """tf.keras's softmax/sigmoid outputs carry their logits (`_keras_logits`) and the
    crossentropies use those: our `logits=` argument reproduces it, saturation included."""
    data = _inputs(5)
    z = data["logits"] * 4  # saturates: probabilities of exactly 0 and 1
    p_tf = getattr(tf.keras.activations, act)(tf.constant(z))
    assert hasattr(p_tf, "_keras_logits")
    for kw in ({}, {"label_smoothing": 0.1} if "Sparse" not in name and "Mean" not in name else {}):
        theirs = getattr(tf.keras.losses, name)(reduction=None, **kw)(data[t_key], p_tf)
        ours = getattr(L, name)(reduction=None, **kw)(data[t_key], np.asarray(p_tf), logits=z)
        _check(ours, theirs)

"""Parity of the rest of Keras 3's losses (hinge, divergence, focal, overlap, circle, CTC)
with tf.keras.losses (Keras 3, TF backend) on CPU: classes under every reduction and
weighting, the function forms, names and configs, string lookup."""
import os
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402  (Keras 3 on the TF backend; tf.keras lacks a few function names)

from jkeras import losses as L  # noqa: E402

RTOL = 1e-6
ATOL = 2.5e-7  # ~2 float32 ulps at 1.0, as tests/parity/test_losses_parity.py
N, C = 12, 5


def _inputs(seed, shape=(N, C)):
    rng = np.random.default_rng(seed)
    probs = rng.uniform(size=shape).astype(np.float32)
    probs.reshape(-1)[:6] = [0.0, 1e-9, 1e-7, 0.5, 1 - 1e-8, 1.0]
    dist = rng.dirichlet(np.full(shape[-1], 0.3), size=shape[:-1]).astype(np.float32)
    logits = (rng.normal(size=shape) * 4).astype(np.float32)
    logits.reshape(-1)[:3] = [0.0, 40.0, -40.0]
    labels = rng.integers(0, shape[-1], shape[:-1])
    onehot = np.eye(shape[-1], dtype=np.float32)[labels]
    binary = (rng.uniform(size=shape) > 0.5).astype(np.float32)
    signs = binary * 2 - 1
    reg_t = rng.normal(size=shape).astype(np.float32)
    reg_p = (reg_t + rng.normal(size=shape)).astype(np.float32)
    counts = rng.poisson(2.0, size=shape).astype(np.float32)
    rates = rng.uniform(0.1, 4, size=shape).astype(np.float32)
    return dict(probs=probs, dist=dist, logits=logits, labels=labels, onehot=onehot,
                binary=binary, signs=signs, reg_t=reg_t, reg_p=reg_p, counts=counts,
                rates=rates, rng=rng)


def _weights(kind, rng, n=N):
    return {None: None, "n": rng.uniform(size=n).astype(np.float32),
            "n1": rng.uniform(size=(n, 1)).astype(np.float32), "scalar": np.float32(2.5)}[kind]


CASES = [  # (class name, kwargs, y_true key, y_pred key)
    ("Hinge", {}, "binary", "logits"), ("Hinge", {}, "signs", "logits"),
    ("Hinge", {}, "reg_t", "reg_p"),  # labels neither 0/1 nor +-1 are used as they are
    ("SquaredHinge", {}, "binary", "logits"), ("SquaredHinge", {}, "signs", "reg_p"),
    ("CategoricalHinge", {}, "onehot", "logits"), ("CategoricalHinge", {}, "onehot", "probs"),
    ("CosineSimilarity", {}, "reg_t", "reg_p"), ("CosineSimilarity", {"axis": 0}, "reg_t", "reg_p"),
    ("LogCosh", {}, "reg_t", "reg_p"), ("LogCosh", {}, "reg_t", "logits"),
    ("KLDivergence", {}, "dist", "probs"), ("KLDivergence", {}, "onehot", "dist"),
    ("Poisson", {}, "counts", "rates"), ("Poisson", {}, "binary", "probs"),
    ("BinaryFocalCrossentropy", {}, "binary", "probs"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5},
     "binary", "probs"),
    ("BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary",
     "logits"),
    ("BinaryFocalCrossentropy", {"axis": 0}, "binary", "probs"),
    ("CategoricalFocalCrossentropy", {}, "onehot", "dist"),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2},
     "onehot", "probs"),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, "onehot", "logits"),
    ("CategoricalGeneralizedCrossEntropy", {}, "labels", "dist"),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.8}, "labels", "probs"),
    ("Dice", {}, "binary", "probs"), ("Dice", {"axis": -1}, "binary", "probs"),
    ("Tversky", {}, "binary", "probs"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, "binary", "probs"),
]
IDS = [f"{c}-{kw}-{t}-{p}" for c, kw, t, p in CASES]


def _check(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=RTOL, atol=ATOL)


# axis=0 leaves one value per class, not per sample: no per-sample weights there
PARAMS = [(c, w) for c in CASES for w in (None, "n", "n1", "scalar")
          if not (c[1].get("axis") == 0 and w in ("n", "n1"))]


@pytest.mark.parametrize("case,weights", PARAMS,
                         ids=[f"{c}-{kw}-{t}-{p}-{w}" for (c, kw, t, p), w in PARAMS])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", None, "sum",
                                       "mean_with_sample_weight"])
def test_loss_matches_tf(case, weights, reduction):
    name, kw, t_key, p_key = case
    data = _inputs(zlib.crc32(f"{name}{t_key}{p_key}".encode()) % 1000)
    _compare(name, {"reduction": reduction, **kw}, data[t_key], data[p_key],
             _weights(weights, data["rng"]))


def _compare(name, kw, yt, yp, sw):
    """The same loss object from both libraries on the same arrays: shape and values."""
    ours = getattr(L, name)(**kw)(yt, yp, sample_weight=sw)
    theirs = getattr(tf.keras.losses, name)(**kw)(yt, yp, sample_weight=sw)
    assert np.shape(ours) == tuple(theirs.shape)
    _check(ours, theirs)


@pytest.mark.parametrize("shape", [(N,), (N, 1), (4, 3, C)])
@pytest.mark.parametrize("name", ["Hinge", "SquaredHinge", "LogCosh", "Poisson",
                                  "KLDivergence", "BinaryFocalCrossentropy", "Dice"])
def test_other_shapes(name, shape):
    rng = np.random.default_rng(len(name) + len(shape))
    yt = (rng.uniform(size=shape) > 0.5).astype(np.float32)
    yp = rng.uniform(0.05, 0.95, size=shape).astype(np.float32)
    sw = rng.uniform(size=shape[:-1] if len(shape) == 3 else shape[:1]).astype(np.float32)
    for reduction in ("sum_over_batch_size", None):
        _compare(name, {"reduction": reduction}, yt, yp, sw)


def _check_matmul(ours, theirs):
    """1e-5: the pairwise similarities are a matmul, summed in another order than TF's."""
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6)


def _embeddings(rng, n, d=6):
    e = rng.normal(size=(n, d)).astype(np.float32)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


@pytest.mark.parametrize("kw", [{}, {"gamma": 2.0, "margin": 0.25},
                                {"remove_diagonal": False, "gamma": 4.0}])
@pytest.mark.parametrize("weights", [None, "n"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", None, "sum"])
def test_circle(kw, weights, reduction):
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 4, N)
    labels[-1] = 7  # a sample without any positive pair: loss 0, masked out
    emb = _embeddings(rng, N)
    sw = _weights(weights, rng)
    ours = L.Circle(reduction=reduction, **kw)(labels, emb, sample_weight=sw)
    theirs = tf.keras.losses.Circle(reduction=reduction, **kw)(labels, emb, sample_weight=sw)
    _check_matmul(ours, theirs)


def test_circle_function_with_references():
    rng = np.random.default_rng(4)
    labels, emb = rng.integers(0, 3, 8), _embeddings(rng, 8)
    ref_labels, ref_emb = rng.integers(0, 3, 5), _embeddings(rng, 5)
    ours = L.circle(labels, emb, ref_labels=ref_labels, ref_embeddings=ref_emb,
                    remove_diagonal=False, gamma=10)
    theirs = tf.keras.losses.circle(labels, emb, ref_labels=ref_labels, ref_embeddings=ref_emb,
                                    remove_diagonal=False, gamma=10)
    _check_matmul(ours, theirs)


@pytest.mark.parametrize("weights", [None, "n"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", None])
def test_ctc(weights, reduction):
    rng = np.random.default_rng(5)
    b, t, k, max_len = 6, 10, 5, 4
    labels = rng.integers(1, k, (b, max_len))
    for i, length in enumerate([4, 3, 2, 1, 4, 3]):
        labels[i, length:] = 0
    labels[0, :3] = [2, 2, 3]  # a repeat needs a blank between
    logits = (rng.normal(size=(b, t, k)) * 2).astype(np.float32)
    sw = _weights(weights, rng, b)
    ours = L.CTC(reduction=reduction)(labels, logits, sample_weight=sw)
    theirs = tf.keras.losses.CTC(reduction=reduction)(labels, logits, sample_weight=sw)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(L.ctc(labels, logits), tf.keras.losses.ctc(labels, logits),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn,kw,t_key,p_key", [
    ("hinge", {}, "binary", "logits"), ("squared_hinge", {}, "signs", "logits"),
    ("categorical_hinge", {}, "onehot", "logits"), ("cosine_similarity", {}, "reg_t", "reg_p"),
    ("log_cosh", {}, "reg_t", "reg_p"), ("kl_divergence", {}, "dist", "probs"),
    ("poisson", {}, "counts", "rates"),
    ("binary_focal_crossentropy", {"gamma": 1.0}, "binary", "probs"),
    ("categorical_focal_crossentropy", {"from_logits": True}, "onehot", "logits"),
    ("categorical_generalized_cross_entropy", {"q": 0.3}, "labels", "dist"),
    ("dice", {"axis": -1}, "binary", "probs"), ("tversky", {"axis": -1}, "binary", "probs"),
])
def test_function_forms(fn, kw, t_key, p_key):
    data = _inputs(11)
    ours = getattr(L, fn)(data[t_key], data[p_key], **kw)
    theirs = getattr(keras.losses, fn)(data[t_key], data[p_key], **kw)
    assert np.shape(ours) == tuple(theirs.shape)
    _check(ours, theirs)


NAMES = sorted({c for c, *_ in CASES} | {"Circle", "CTC"})


@pytest.mark.parametrize("name", NAMES)
def test_names_configs_and_round_trip(name):
    ours, theirs = getattr(L, name)(), getattr(tf.keras.losses, name)()
    assert ours.name == theirs.name
    assert ours.get_config() == theirs.get_config()
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    assert type(L.deserialize(L.serialize(ours))) is type(ours)


@pytest.mark.parametrize("ident", ["hinge", "Hinge", "squared_hinge", "categorical_hinge",
                                   "cosine_similarity", "log_cosh", "LogCosh", "kld", "KLD",
                                   "kl_divergence", "poisson", "binary_focal_crossentropy",
                                   "CategoricalFocalCrossentropy", "dice", "Tversky", "circle",
                                   "ctc", "CTC"])
def test_strings_resolve_as_keras(ident):
    theirs = tf.keras.losses.get(ident)
    ours = L.get(ident)
    their_fn = theirs.fn if hasattr(theirs, "fn") else theirs  # a Loss or a function
    assert ours.fn.__name__ == their_fn.__name__


def test_bad_input_in_keras_wording():
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        L.get("categorical_generalized_cross_entropy")  # not a string in Keras 3.15 either
    with pytest.raises(ValueError, match="q must be in the interval"):
        L.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="y_true.shape="):
        L.ctc(np.zeros((2, 3, 1)), np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="y_pred.shape="):
        L.ctc(np.zeros((2, 3)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        L.Dice(reduction="avg")


def test_focal_on_probabilities_that_carry_logits():
    """A sigmoid output's logits go into the focal BCE as tf.keras does (`_keras_logits`)."""
    data = _inputs(5)
    z = data["logits"] * 4
    p_tf = tf.keras.activations.sigmoid(tf.constant(z))
    theirs = tf.keras.losses.BinaryFocalCrossentropy(reduction=None)(data["binary"], p_tf)
    ours = L.BinaryFocalCrossentropy(reduction=None)(data["binary"], np.asarray(p_tf), logits=z)
    _check(ours, theirs)

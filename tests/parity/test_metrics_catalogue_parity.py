"""Parity of the rest of Keras 3's metrics with tf.keras.metrics (Keras 3, TF backend) on
CPU: states accumulated over several batches (jitted `update`), with and without sample
weights; names, configs, string lookup and Keras's errors for bad input."""
import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import keras  # noqa: E402  (Keras 3, TF backend: tf.keras lacks a few function names)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import metrics as M  # noqa: E402

RTOL = 1e-6
ATOL = 2.5e-7  # ~2 float32 ulps at 1.0, as tests/parity/test_metrics_parity.py
C = 4


def _batch(kind, rng, n):
    probs = rng.uniform(size=(n, C)).astype(np.float32)
    probs[0, :3] = [0.0, 1.0, 0.5]  # exact thresholds
    labels = rng.integers(0, C, n)
    onehot = np.eye(C, dtype=np.float32)[labels]
    if kind == "binary":  # (N, 1) labels and scores
        return (rng.uniform(size=(n, 1)) > 0.5).astype(np.float32), probs[:, :1]
    if kind == "binary_n":  # (N,) labels against one sigmoid unit
        return (rng.uniform(size=n) > 0.5).astype(np.float32), probs[:, :1]
    if kind == "multilabel":
        return (rng.uniform(size=(n, C)) > 0.5).astype(np.float32), probs
    if kind == "logits":
        return ((rng.uniform(size=(n, C)) > 0.5).astype(np.float32),
                (rng.normal(size=(n, C)) * 3).astype(np.float32))
    if kind == "onehot":
        return onehot, probs
    if kind == "sparse":  # integer labels and integer predictions
        return labels, rng.integers(0, C, n)
    if kind == "seg":  # (N, 3, 3) label maps
        return rng.integers(0, C, (n, 3, 3)), rng.integers(0, C, (n, 3, 3))
    if kind == "onehot_probs":
        return onehot, probs
    if kind == "signs":
        return (rng.uniform(size=(n, C)) > 0.5).astype(np.float32) * 2 - 1, probs * 4 - 2
    if kind == "dist":
        return (rng.dirichlet(np.ones(C), n).astype(np.float32),
                rng.dirichlet(np.ones(C), n).astype(np.float32))
    if kind == "counts":
        return (rng.poisson(2.0, (n, C)).astype(np.float32),
                rng.uniform(0.1, 4, (n, C)).astype(np.float32))
    t = rng.normal(size=(n, 3)).astype(np.float32)
    return t, (t + rng.normal(size=(n, 3))).astype(np.float32)


CASES = [  # (class name, kwargs, data kind, sample-weight kinds)
    ("TruePositives", {}, "binary", "all"), ("FalsePositives", {"thresholds": [0.2, 0.7]},
                                             "multilabel", "all"),
    ("TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, "binary_n", "all"),
    ("FalseNegatives", {"thresholds": 0.3}, "multilabel", "all"),
    ("Precision", {}, "binary", "all"), ("Precision", {"thresholds": [0.1, 0.5, 0.9]},
                                         "multilabel", "all"),
    ("Precision", {"top_k": 2}, "multilabel", "all"),
    ("Precision", {"class_id": 2}, "multilabel", "all"),
    ("Precision", {"top_k": 2, "class_id": 1, "thresholds": [0.3, 0.6]}, "multilabel", "all"),
    ("Recall", {}, "binary_n", "all"), ("Recall", {"top_k": 1}, "onehot_probs", "all"),
    ("Recall", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multilabel", "all"),
    ("Recall", {"class_id": 0}, "multilabel", "all"),
    ("AUC", {}, "binary", "all"), ("AUC", {"num_thresholds": 7}, "multilabel", "all"),
    ("AUC", {"curve": "PR"}, "binary_n", "all"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "multilabel", "all"),
    ("AUC", {"summation_method": "minoring"}, "multilabel", "all"),
    ("AUC", {"curve": "PRGAIN"}, "multilabel", "all"),
    ("AUC", {"thresholds": [0.25, 0.5, 0.8]}, "multilabel", "all"),  # not evenly spaced
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, "multilabel", "all"),  # evenly spaced
    ("AUC", {"multi_label": True}, "multilabel", "all"),
    ("AUC", {"multi_label": True, "num_labels": C, "curve": "PR",
             "label_weights": [1.0, 2.0, 0.0, 0.5]}, "multilabel", "all"),
    ("AUC", {"multi_label": True, "thresholds": [0.3, 0.6]}, "multilabel", "all"),
    ("AUC", {"label_weights": [1.0, 2.0, 0.0, 0.5]}, "multilabel", "all"),
    ("AUC", {"from_logits": True}, "logits", "all"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary", "all"),
    ("PrecisionAtRecall", {"recall": 0.3, "num_thresholds": 1}, "multilabel", "all"),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 20}, "multilabel", "all"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary", "all"),
    ("SensitivityAtSpecificity", {"specificity": 0.7, "class_id": 1}, "multilabel", "all"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.4, "num_thresholds": 2}, "multilabel",
     "all"),
    ("F1Score", {}, "onehot_probs", "n"), ("F1Score", {"average": "micro"}, "multilabel", "n"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "multilabel", "n"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, "onehot_probs", "n"),
    ("FBetaScore", {"beta": 0.5, "threshold": 0.3}, "multilabel", "n"),
    ("IoU", {"num_classes": C, "target_class_ids": [0, 2]}, "sparse", "int"),
    ("MeanIoU", {"num_classes": C}, "seg", "int"),
    ("MeanIoU", {"num_classes": C, "ignore_class": 1}, "sparse", "int"),
    ("MeanIoU", {"num_classes": C, "sparse_y_true": False, "sparse_y_pred": False},
     "onehot_probs", "int"),
    ("OneHotIoU", {"num_classes": C, "target_class_ids": [1, 3]}, "onehot_probs", "int"),
    ("OneHotMeanIoU", {"num_classes": C, "ignore_class": 0}, "onehot_probs", "int"),
    ("R2Score", {}, "regression", "n"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression", "all"),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "regression", "n"),
    ("PearsonCorrelation", {}, "regression", "all"),
    ("ConcordanceCorrelation", {}, "regression", "all"),
    ("CosineSimilarity", {}, "regression", "all"), ("LogCoshError", {}, "regression", "all"),
    ("KLDivergence", {}, "dist", "all"), ("Poisson", {}, "counts", "all"),
    ("Hinge", {}, "multilabel", "all"), ("Hinge", {}, "signs", "all"),
    ("SquaredHinge", {}, "signs", "all"), ("CategoricalHinge", {}, "onehot", "all"),
]
WEIGHTS = {"all": [None, "n", "n1"], "n": [None, "n"], "int": [None, "int"]}
PARAMS = [(c, w) for c in CASES for w in WEIGHTS[c[3]]]


def _weights(kind, rng, yt):
    n = np.shape(yt)[0]
    return {None: None, "n": rng.uniform(size=n).astype(np.float32),
            "n1": rng.uniform(size=(n, 1)).astype(np.float32),
            # IoU: one integer weight per label (per pixel of a label map, per one-hot row)
            "int": rng.integers(0, 3, np.shape(yt)[:-1] if np.ndim(yt) == 2 else np.shape(yt))
            }[kind]


def _unsuffixed(name):
    """Keras numbers unnamed metrics per session ("precision_1"); jkeras does not (clearing
    tf's session for every case costs a second of gc each)."""
    return re.sub(r"_\d+$", "", name)


@pytest.mark.parametrize("case,weights", PARAMS,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{w}" for c, w in PARAMS])
def test_metric_over_three_batches(case, weights):
    name, kw, kind, _ = case
    rng = np.random.default_rng(len(name) * 31 + len(kind) + len(str(kw)))
    ours, theirs = getattr(M, name)(**kw), getattr(tf.keras.metrics, name)(**kw)
    assert ours.name == _unsuffixed(theirs.name)
    batches = [_batch(kind, rng, n) for n in (8, 8, 5)]
    if hasattr(ours, "build_from_shapes"):  # what compile() does before the jitted loop
        ours.build_from_shapes(np.shape(batches[0][0]), np.shape(batches[0][1]))
    update = jax.jit(ours.update)
    state = ours.init()
    for yt, yp in batches:
        sw = _weights(weights, rng, yt)
        state = update(state, yt, yp, sw)
        theirs.update_state(yt, yp, sample_weight=sw)
        np.testing.assert_allclose(ours.result_from(state), theirs.result(), rtol=RTOL,
                                   atol=ATOL)
    assert sorted(state) == sorted(v.name for v in theirs.variables)
    for v in theirs.variables:
        np.testing.assert_allclose(state[v.name], v.numpy(), rtol=RTOL, atol=1e-5)
    # the eager facade (lazy build included) agrees with the pure path
    fresh = getattr(M, name)(**kw)
    for yt, yp in batches[:1]:
        fresh.update_state(yt, yp)
    fresh.reset_state()
    fresh.state = state
    np.testing.assert_allclose(fresh.result(), theirs.result(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_config_matches_keras(case):
    name, kw, _, _ = case
    ours, theirs = getattr(M, name)(**kw), getattr(tf.keras.metrics, name)(**kw)
    theirs_cfg = {k: (np.asarray(v).tolist() if hasattr(v, "shape") else v)
                  for k, v in theirs.get_config().items()}
    theirs_cfg["name"] = _unsuffixed(theirs_cfg["name"])
    assert ours.get_config() == theirs_cfg
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    assert type(M.deserialize(M.serialize(ours))) is type(ours)


@pytest.mark.parametrize("fn,kind", [
    ("hinge", "multilabel"), ("squared_hinge", "signs"), ("categorical_hinge", "onehot"),
    ("kl_divergence", "dist"), ("poisson", "counts"), ("log_cosh", "regression"),
    ("huber", "regression"), ("mean_squared_error", "regression"),
    ("mean_absolute_error", "regression"), ("mean_absolute_percentage_error", "regression"),
    ("mean_squared_logarithmic_error", "counts"), ("binary_crossentropy", "multilabel"),
    ("binary_focal_crossentropy", "multilabel"), ("categorical_crossentropy", "onehot"),
    ("categorical_focal_crossentropy", "onehot"), ("pearson_correlation", "regression"),
    ("concordance_correlation", "regression")])
def test_function_forms(fn, kind):
    yt, yp = _batch(kind, np.random.default_rng(1), 8)
    ours, theirs = getattr(M, fn)(yt, yp), getattr(keras.metrics, fn)(yt, yp)
    assert np.shape(ours) == tuple(theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=ATOL)


def test_sparse_categorical_crossentropy_function():
    rng = np.random.default_rng(2)
    labels, probs = rng.integers(0, C, 8), rng.dirichlet(np.ones(C), 8).astype(np.float32)
    np.testing.assert_allclose(M.sparse_categorical_crossentropy(labels, probs),
                               keras.metrics.sparse_categorical_crossentropy(labels, probs),
                               rtol=RTOL, atol=ATOL)


STRINGS = ["auc", "AUC", "precision", "Precision", "recall", "true_positives",
           "false_negatives", "f1_score", "f_beta_score", "r2_score", "pearson_correlation",
           "concordance_correlation", "cosine_similarity", "log_cosh_error", "LogCoshError",
           "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
           "binary_io_u"]


@pytest.mark.parametrize("ident", STRINGS)
def test_strings_resolve_as_keras(ident):
    theirs = keras.metrics.get(ident)
    ours = M.get(ident)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == ident  # compile() logs a string metric under the string itself


@pytest.mark.parametrize("ident", ["mean_io_u", "io_u", "one_hot_io_u", "one_hot_mean_io_u",
                                   "precision_at_recall", "sensitivity_at_specificity"])
def test_strings_that_need_arguments(ident):
    with pytest.raises(TypeError):
        keras.metrics.get(ident)
    with pytest.raises(TypeError, match="needs arguments"):
        M.get(ident)


def test_bad_input_in_keras_wording():
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        M.get("auroc")
    for bad in ([0.5, 1.2], -0.1, [None]):
        with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
            M.Precision(thresholds=bad)
        with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
            tf.keras.metrics.Precision(thresholds=bad)
    with pytest.raises(ValueError, match="must be in the range"):
        M.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        M.AUC(curve="XY")
    with pytest.raises(ValueError, match="Invalid AUC summation method"):
        M.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="only when `multi_label` is True"):
        M.AUC(num_labels=3)
    with pytest.raises(ValueError, match="must have rank 2 when `multi_label=True`"):
        M.AUC(multi_label=True).update_state(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="FBetaScore expects 2D inputs"):
        M.FBetaScore().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"AUC: Threshold values must be in \[0, 1\]"):
        M.AUC(thresholds=[0.5, 2.0])
    with pytest.raises(ValueError, match="Precision 'precision': y_true and y_pred must have"):
        M.Precision().update_state(np.array([0, 1, 2]), np.ones((3, 4)))
    with pytest.raises(ValueError, match="AUC 'auc': y_true and y_pred must have"):
        M.AUC().update_state(np.array([0, 1, 2]), np.ones((3, 4)))
    with pytest.raises(ValueError, match="MeanIoU 'mean_io_u': y_true and y_pred must hold"):
        M.MeanIoU(3).update_state(np.array([0, 1, 2]), np.ones((3, 3)))  # one-hot y_pred
    with pytest.raises(ValueError, match="F1Score expects y_true and y_pred of the same"):
        M.F1Score().update_state(np.ones((3, 2)), np.ones((3, 4)))
    with pytest.raises(TypeError, match="num_classes"):
        M.MeanIoU()
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        M.R2Score().update_state(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="sizes its state from the data"):
        M.F1Score().init()
    with pytest.raises(ValueError, match="Invalid `beta` argument"):
        M.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="Invalid `average` argument"):
        M.F1Score(average="samples")
    with pytest.raises(ValueError, match="Target class id 5 is out of range"):
        M.IoU(num_classes=3, target_class_ids=[5])
    with pytest.raises(ValueError, match="needs `num_classes`"):
        M.MeanIoU(num_classes=None)
    with pytest.raises(ValueError, match="When class_id is provided"):
        M.Precision(class_id=1).update_state(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="class_aggregation"):
        M.R2Score(class_aggregation="median")

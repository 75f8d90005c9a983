"""Parity of jkeras.activations with tf.keras.activations (Keras 3, TF backend) on CPU."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import activations as A  # noqa: E402

RTOL = 1e-6
EPS = float(np.finfo(np.float32).eps)


def _inputs():
    rng = np.random.default_rng(0)
    special = [-30, -10, -6, -3, -1, -1e-3, -1e-6, 0, 1e-6, 1e-3, 1, 3, 6, 10, 30]
    x = np.concatenate([rng.normal(0.0, 3.0, 2000), np.linspace(-10, 10, 401), special])
    return x.astype(np.float32)


X = _inputs()

CASES = [
    ("linear", {}), ("relu", {}), ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 6.0}), ("relu", {"max_value": 2.5}), ("relu", {"threshold": 1.5}),
    ("relu", {"threshold": -0.5}), ("relu", {"negative_slope": 0.3, "max_value": 4.0}),
    ("relu", {"negative_slope": 0.3, "threshold": 1.0}),
    ("relu", {"negative_slope": 0.3, "max_value": 4.0, "threshold": 1.0}),
    ("relu", {"negative_slope": 0.2, "max_value": 6}),
    ("relu6", {}), ("sigmoid", {}), ("tanh", {}), ("gelu", {}), ("gelu", {"approximate": True}),
    ("gelu", {"approximate": False}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}), ("selu", {}), ("softplus", {}), ("softsign", {}), ("silu", {}),
    ("swish", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}),
    ("exponential", {}), ("hard_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}),
    ("mish", {}),
]


# Results that cancel get an absolute floor of two float32 ulps of the input's magnitude:
# gelu (1 + tanh(z) or erfc deep in the negative tail), log_softmax (x - logsumexp(x) near 0),
# elu/selu near 0 (TF computes exp(x) - 1, we use the more exact expm1). There both sides'
# rounding errors are that size. Every other function is held to RTOL alone.
CANCELS = {"gelu", "elu", "selu", "log_softmax"}


def _check(ours, theirs, scale):
    """|ours - tf| <= RTOL*|tf| + 2 eps * max(1, scale), elementwise (scale None: RTOL only)."""
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape
    floor = 0.0 if scale is None else 2 * EPS * np.maximum(1.0, scale)
    tol = RTOL * np.abs(theirs) + floor
    bad = np.abs(ours - theirs) > tol
    assert not bad.any(), (
        f"{bad.sum()} mismatches, e.g. ours={ours[bad][:3]} tf={theirs[bad][:3]}"
    )


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_elementwise_matches_tf(name, kwargs):
    x = X[np.abs(X) < 80] if name == "exponential" else X
    theirs = getattr(tf.keras.activations, name)(tf.constant(x), **kwargs).numpy()
    ours = getattr(A, name)(x, **kwargs)
    assert np.asarray(ours).dtype == theirs.dtype == np.float32
    _check(ours, theirs, np.abs(x) if name in CANCELS else None)


def test_exact_equality_for_piecewise_linear():
    # no transcendental functions involved: results are bit-identical
    for name, kwargs in CASES:
        if name in ("linear", "relu", "relu6", "leaky_relu", "softsign"):
            theirs = getattr(tf.keras.activations, name)(tf.constant(X), **kwargs).numpy()
            np.testing.assert_array_equal(np.asarray(getattr(A, name)(X, **kwargs)), theirs)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", [((300, 8), -1), ((300, 8), 0), ((10, 6, 5), 1),
                                         ((10, 6, 5), -1), ((7, 3), None)])
def test_softmax_family_matches_tf(name, shape, axis):
    x = X[: int(np.prod(shape))].reshape(shape)
    theirs = getattr(tf.keras.activations, name)(tf.constant(x), axis=axis).numpy()
    ours = getattr(A, name)(x, axis=axis)
    scale = np.max(np.abs(x), axis=axis, keepdims=True) if axis is not None else np.abs(x).max()
    _check(ours, theirs, np.broadcast_to(scale, x.shape) if name in CANCELS else None)


def test_keras_docstring_example_matches_tf():
    x = np.array([-10, -5, 0.0, 5, 10], np.float32)
    for kwargs in [{}, {"negative_slope": 0.5}, {"max_value": 5.0}, {"threshold": 5.0}]:
        np.testing.assert_array_equal(
            np.asarray(A.relu(x, **kwargs)), tf.keras.activations.relu(x, **kwargs).numpy()
        )


NAMES = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu",
         "elu", "selu", "softplus", "softsign", "silu", "swish", "leaky_relu", "exponential",
         "hard_sigmoid", "hard_silu", "hard_swish", "mish"]


@pytest.mark.parametrize("name", NAMES)
def test_get_and_serialize_names_match_keras(name):
    tf_fn = tf.keras.activations.get(name)
    assert A.serialize(A.get(name)) == tf.keras.activations.serialize(tf_fn)
    assert A.get(name).__name__ == tf_fn.__name__


def test_get_none_and_unknown_like_keras():
    assert tf.keras.activations.get(None).__name__ == A.get(None).__name__ == "linear"
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        tf.keras.activations.get("foo")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        A.get("foo")

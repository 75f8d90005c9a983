"""Parity with tf.keras.activations of the rest of Keras's activations (celu, glu,
hard_shrink, hard_tanh, log_sigmoid, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax,
squareplus, tanh_shrink, threshold): outputs, gradients (tf.GradientTape vs jax.grad), and
get / serialize / deserialize by name."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import activations as A  # noqa: E402

RTOL = 1e-6
EPS = float(np.finfo(np.float32).eps)
KINKS = (-1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 1.0, 2.0)  # where a subgradient is a convention


def _inputs():
    rng = np.random.default_rng(0)
    special = [-30, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 30]
    return np.concatenate([rng.normal(0.0, 2.0, 1000), np.linspace(-5, 5, 201),
                           special]).astype(np.float32)


X = _inputs()

CASES = [
    ("celu", {}), ("celu", {"alpha": 0.5}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 0.3}), ("hard_tanh", {}), ("log_sigmoid", {}),
    ("soft_shrink", {}), ("soft_shrink", {"threshold": 2.0}), ("sparse_plus", {}),
    ("sparse_sigmoid", {}), ("squareplus", {}), ("squareplus", {"b": 1}),
    ("tanh_shrink", {}), ("threshold", {"threshold": 0.3, "default_value": -2.0}),
]
# Results that cancel (x - tanh(x) near 0; celu's exp(x) - 1 near 0; squareplus's
# x + sqrt(x² + b) for negative x; TF and XLA round these differently) get an absolute floor of two float32 ulps of max(1, |x|).
CANCELS = {"tanh_shrink", "celu", "squareplus"}


def _check(ours, theirs, floor_scale=None):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape
    floor = 0.0 if floor_scale is None else 2 * EPS * np.maximum(1.0, floor_scale)
    bad = np.abs(ours - theirs) > RTOL * np.abs(theirs) + floor
    assert not bad.any(), f"{bad.sum()} mismatches, e.g. ours={ours[bad][:3]} tf={theirs[bad][:3]}"


def _tf_grad(fn, x, **kwargs):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(fn(xt, **kwargs))
    return tape.gradient(y, xt).numpy()


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_elementwise_and_gradient_match_tf(name, kwargs):
    theirs = getattr(tf.keras.activations, name)(tf.constant(X), **kwargs).numpy()
    ours = getattr(A, name)(X, **kwargs)
    assert np.asarray(ours).dtype == theirs.dtype == np.float32
    _check(ours, theirs, np.abs(X) if name in CANCELS else None)

    x = X[np.all([np.abs(X - k) > 1e-2 for k in KINKS], axis=0)]
    g_theirs = _tf_grad(getattr(tf.keras.activations, name), x, **kwargs)
    g_ours = jax.grad(lambda v: jnp.sum(getattr(A, name)(v, **kwargs)))(jnp.asarray(x))
    _check(g_ours, g_theirs, np.abs(x) if name in CANCELS else None)


@pytest.mark.parametrize("name", ["glu", "sparsemax"])
@pytest.mark.parametrize("shape, axis", [((50, 8), -1), ((6, 10), 0), ((5, 4, 6), 1)])
def test_axis_activations_match_tf(name, shape, axis):
    x = (np.random.default_rng(1).normal(size=shape) * 2).astype(np.float32)
    fn_tf = getattr(tf.keras.activations, name)
    theirs = fn_tf(tf.constant(x), axis=axis).numpy()
    ours = getattr(A, name)(x, axis=axis)
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-6, atol=1e-7)
    w = np.random.default_rng(2).normal(size=theirs.shape).astype(np.float32)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(fn_tf(xt, axis=axis) * w)
    g_theirs = tape.gradient(y, xt).numpy()
    g_ours = jax.grad(lambda v: jnp.sum(getattr(A, name)(v, axis=axis) * w))(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(g_ours), g_theirs, rtol=1e-5, atol=1e-6)


def test_sparsemax_follows_keras_threshold_formula():
    # One dominant logit: the projection is one-hot (as in the paper). With a support of
    # k > 1 Keras 3.15 takes tau = (sum of the supported cumulative sums - 1) / k, not
    # (cumsum_k - 1) / k, so rows need not sum to 1; jkeras matches Keras (flagged upstream).
    x = np.array([[3.0, 1.0, 0.2, -1.0], [0.1, 0.1, 0.1, 0.1], [0.5, 0.4, 0.3, -2.0]],
                 np.float32)
    y = np.asarray(A.sparsemax(x))
    np.testing.assert_array_equal(y, tf.keras.activations.sparsemax(x).numpy())
    np.testing.assert_array_equal(y[0], [1.0, 0.0, 0.0, 0.0])


NEW_NAMES = ["celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink",
             "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink",
             "threshold"]


@pytest.mark.parametrize("name", NEW_NAMES)
def test_get_serialize_deserialize_match_keras(name):
    tf_fn = tf.keras.activations.get(name)
    assert A.get(name).__name__ == tf_fn.__name__ == name
    assert A.serialize(A.get(name)) == tf.keras.activations.serialize(tf_fn)
    assert A.deserialize(tf.keras.activations.serialize(tf_fn)) is A.get(name)
    assert A.get({"class_name": "function", "config": name}) is getattr(A, name)


def test_dense_layer_accepts_new_activation_names():
    import jkeras
    layer = jkeras.layers.Dense(4, activation="log_sigmoid")
    assert layer.get_config()["activation"] == "log_sigmoid"
    y = layer(np.ones((2, 3), np.float32))
    assert (np.asarray(y) <= 0).all()

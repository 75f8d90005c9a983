"""Parity with tf.keras (Keras 3.15, TF backend) on copied weights: BatchNormalization in training
and inference (moving statistics included), LayerNormalization, activation layers, Rescaling,
Dropout's scaling, and fit() of models with BatchNormalization / Dropout."""
import contextlib

import numpy as np
import pytest

import jkeras
from jkeras import layers as L, optimizers

RTOL, ATOL = 1e-5, 1e-6


def inputs(shape, seed=0, loc=0.0, scale=1.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + loc).astype(np.float32)


def random_like(weights, seed=1):
    rng = np.random.default_rng(seed)
    # variances must stay positive; the rest can be anything
    return [(rng.uniform(0.5, 2.0, w.shape) if "variance" in name else rng.normal(size=w.shape))
            .astype(np.float32) for name, w in weights]


def copy_random_weights(ours, theirs, seed=1):
    named = [(w.name, w.numpy()) for w in theirs.weights]
    weights = random_like(named, seed)
    theirs.set_weights(weights)
    ours.set_weights(weights)


def assert_weights_close(ours, theirs, rtol=RTOL, atol=ATOL):
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ---- BatchNormalization ----------------------------------------------------------------------
@pytest.mark.parametrize("shape,kwargs", [
    ((16, 5), {}),
    ((8, 4, 3), {"momentum": 0.9, "epsilon": 1e-2}),
    ((4, 3, 5, 6), {"axis": 1}),
    ((4, 3, 5, 6), {"axis": -1, "center": False}),
    ((10, 4), {"scale": False, "momentum": 0.5})])
def test_batch_normalization_training_inference_and_moving_stats(tf, shape, kwargs):
    x = inputs(shape, loc=2.0, scale=3.0)
    ours, theirs = L.BatchNormalization(**kwargs), tf.keras.layers.BatchNormalization(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    copy_random_weights(ours, theirs)
    np.testing.assert_allclose(ours(x), theirs(x, training=False).numpy(), rtol=RTOL, atol=ATOL)
    for step in range(3):  # the moving statistics follow tf.keras's call after call
        xs = inputs(shape, seed=10 + step, loc=1.0 + step, scale=2.0)
        np.testing.assert_allclose(ours(xs, training=True), theirs(xs, training=True).numpy(),
                                   rtol=RTOL, atol=1e-5)
        assert_weights_close(ours, theirs)
    np.testing.assert_allclose(ours(x), theirs(x, training=False).numpy(), rtol=RTOL, atol=1e-5)


def test_batch_normalization_trainable_false_is_inference(tf):
    x = inputs((12, 3), loc=1.0, scale=2.0)
    ours = L.BatchNormalization(trainable=False)
    theirs = tf.keras.layers.BatchNormalization(trainable=False)
    ours.build(x.shape)
    theirs.build(x.shape)
    copy_random_weights(ours, theirs)
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True).numpy(),
                               rtol=RTOL, atol=ATOL)
    assert_weights_close(ours, theirs)


def test_batch_normalization_mask(tf):
    x = inputs((3, 5, 4), loc=1.0, scale=2.0)
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    ours, theirs = L.BatchNormalization(momentum=0.8), tf.keras.layers.BatchNormalization(
        momentum=0.8)
    ours.build(x.shape)
    theirs.build(x.shape)
    copy_random_weights(ours, theirs)
    np.testing.assert_allclose(ours(x, training=True, mask=mask),
                               theirs(x, training=True, mask=mask).numpy(), rtol=RTOL, atol=1e-5)
    assert_weights_close(ours, theirs)


# ---- LayerNormalization ----------------------------------------------------------------------
@pytest.mark.parametrize("shape,kwargs", [
    ((6, 8), {}), ((3, 4, 5), {"axis": [1, 2], "epsilon": 1e-5}), ((3, 4, 5), {"axis": 1}),
    ((3, 4, 5), {"center": False}), ((3, 4, 5), {"scale": False, "center": False}),
    ((4, 7), {"rms_scaling": True})])
@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
def test_layer_normalization(tf, shape, kwargs):
    x = inputs(shape, loc=3.0, scale=4.0)
    with pytest.warns(UserWarning) if kwargs.get("rms_scaling") else contextlib.nullcontext():
        ours = L.LayerNormalization(**kwargs)
        theirs = tf.keras.layers.LayerNormalization(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    copy_random_weights(ours, theirs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=RTOL, atol=1e-5)


# ---- activation layers, Rescaling --------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs", [
    ("ReLU", {}), ("ReLU", {"max_value": 6.0}), ("ReLU", {"negative_slope": 0.2}),
    ("ReLU", {"threshold": 0.5}), ("ReLU", {"max_value": 2.0, "negative_slope": 0.1,
                                            "threshold": 0.3}),
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.01}),
    ("ELU", {}), ("ELU", {"alpha": 0.4}),
    ("Softmax", {}), ("Softmax", {"axis": 1}), ("Softmax", {"axis": (1, 2)}),
    ("Rescaling", {"scale": 1 / 255}), ("Rescaling", {"scale": 2.0, "offset": -1.5})])
def test_activation_and_rescaling_layers(tf, name, kwargs):
    x = inputs((3, 4, 5), scale=3.0)
    ours, theirs = getattr(L, name)(**kwargs), getattr(tf.keras.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=RTOL, atol=ATOL)


def test_softmax_mask(tf):
    x = inputs((2, 3, 4))
    mask = np.random.default_rng(3).random((2, 3, 4)) > 0.4
    mask[0, 0] = False  # a fully masked row
    np.testing.assert_allclose(L.Softmax()(x, mask=mask),
                               tf.keras.layers.Softmax()(x, mask=mask).numpy(), rtol=RTOL,
                               atol=ATOL)


# ---- Dropout: inference identity and the kept units' scaling, as tf.keras ----------------------
@pytest.mark.parametrize("name,kwargs,shape", [
    ("Dropout", {"rate": 0.3}, (64, 32)), ("SpatialDropout1D", {"rate": 0.4}, (8, 5, 32)),
    ("SpatialDropout2D", {"rate": 0.5}, (4, 3, 3, 32)), ("GaussianNoise", {"stddev": 0.2}, (4, 8))])
def test_random_layers_inference_identity_and_scale(tf, name, kwargs, shape):
    x = np.abs(inputs(shape)) + 0.5
    ours, theirs = getattr(L, name)(**kwargs), getattr(tf.keras.layers, name)(**kwargs)
    np.testing.assert_array_equal(ours(x), theirs(x).numpy())
    if "rate" in kwargs:
        a, b = np.asarray(ours(x, training=True)), theirs(x, training=True).numpy()
        # different random streams, same rule: kept units are x / (1 - rate)
        for y in (a, b):
            kept = y != 0
            np.testing.assert_allclose(y[kept], x[kept] / (1 - kwargs["rate"]), rtol=1e-6)


# ---- fit() ---------------------------------------------------------------------------------------
def _bn_models(tf):
    K = tf.keras
    tm = K.Sequential([K.Input((5,)), K.layers.Dense(8), K.layers.BatchNormalization(momentum=0.9),
                       K.layers.Activation("relu"), K.layers.Dense(1)])
    jm = jkeras.Sequential([jkeras.Input((5,)), L.Dense(8), L.BatchNormalization(momentum=0.9),
                            L.Activation("relu"), L.Dense(1)])
    return tm, jm


def test_fit_with_batch_normalization_matches_tf_keras(tf):
    # 100 samples in batches of 32: the last batch has 4 rows, so its batch statistics must not
    # see padding.
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(100, 5)) * 2 + 1).astype(np.float32)
    y = (x @ rng.normal(size=(5, 1)) + 0.3).astype(np.float32)
    tm, jm = _bn_models(tf)
    jm.set_weights(tm.get_weights())
    assert [w.name for w in jm.weights] == [w.name for w in tm.weights]
    tm.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss="mse")
    jm.compile(optimizer=optimizers.SGD(0.01), loss="mse")
    th = tm.fit(x, y, batch_size=32, epochs=4, shuffle=False, verbose=0)
    jh = jm.fit(x, y, batch_size=32, epochs=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(jh.history["loss"], th.history["loss"], rtol=1e-4)
    for a, b in zip(jm.get_weights(), tm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    bn = jm.layers[1]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_allclose(jm.predict(x, verbose=0), tm.predict(x, verbose=0), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(jm.evaluate(x, y, verbose=0), tm.evaluate(x, y, verbose=0),
                               rtol=1e-4)


def test_fit_with_dropout_trains_and_inference_is_deterministic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype(np.float32)
    y = (x[:, :1] - 0.5 * x[:, 1:2] > 0).astype(np.float32)
    model = jkeras.Sequential([jkeras.Input((6,)), L.Dense(32, activation="relu"), L.Dropout(0.3),
                               L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    after = model.evaluate(x, y, verbose=0)
    assert after[0] < before[0] and after[1] > 0.85
    assert model.evaluate(x, y, verbose=0) == after
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    # predict batches by 32, the eager call takes all 256 rows at once: rounding only
    np.testing.assert_allclose(model.predict(x, verbose=0), model(x), rtol=1e-5, atol=1e-6)

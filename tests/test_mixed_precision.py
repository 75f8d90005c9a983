"""`jkeras.mixed_precision` against `keras.mixed_precision`, and training under a mixed policy:
`fit` under mixed_bfloat16 lowers the loss with float32 variables, close to tf.keras's fit on
the same weights and batches."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

import jkeras
from jkeras import mixed_precision


def test_names_are_keras_aliases(tf):
    assert mixed_precision.Policy is mixed_precision.DTypePolicy is jkeras.DTypePolicy
    assert mixed_precision.global_policy is jkeras.config.dtype_policy
    for name in ("mixed_float16", "mixed_bfloat16", "float32"):
        mixed_precision.set_global_policy(name)
        tf.keras.mixed_precision.set_global_policy(name)
        assert repr(mixed_precision.global_policy()) == \
            repr(tf.keras.mixed_precision.global_policy())
        assert repr(mixed_precision.dtype_policy()) == repr(jkeras.config.dtype_policy())
        p, q = mixed_precision.Policy(name), tf.keras.mixed_precision.Policy(name)
        assert (p.compute_dtype, p.variable_dtype) == (q.compute_dtype, q.variable_dtype)
    mixed_precision.set_dtype_policy(mixed_precision.Policy("mixed_bfloat16"))
    assert jkeras.layers.Dense(2).compute_dtype == "bfloat16"


def test_loss_scale_optimizer_comes_from_optimizers():
    # Written with the optimizers; mixed_precision only re-exports it when it exists.
    if hasattr(jkeras.optimizers, "LossScaleOptimizer"):
        assert mixed_precision.LossScaleOptimizer is jkeras.optimizers.LossScaleOptimizer
    else:
        assert not hasattr(mixed_precision, "LossScaleOptimizer")


def digits(n=384):
    x, y = load_digits(return_X_y=True)
    return (x[:n] / 16.0).astype("float32"), y[:n].astype("int32")


def make_model(K):
    return K.Sequential([K.Input((64,)), K.layers.Dense(32, activation="relu"),
                         K.layers.BatchNormalization(), K.layers.Dense(10),
                         K.layers.Activation("softmax", dtype="float32")])


def test_fit_under_mixed_bfloat16_matches_tf_keras(tf):
    x, y = digits()
    tf.keras.backend.clear_session()
    tf.keras.mixed_precision.set_global_policy("mixed_bfloat16")
    theirs = make_model(tf.keras)
    jkeras.utils.clear_session()
    mixed_precision.set_global_policy("mixed_bfloat16")
    ours = make_model(jkeras)
    ours.set_weights(theirs.get_weights())
    for model, K in ((ours, jkeras), (theirs, tf.keras)):
        model.compile(optimizer=K.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    h_ours = ours.fit(x, y, batch_size=64, epochs=3, shuffle=False, verbose=0).history["loss"]
    h_theirs = theirs.fit(x, y, batch_size=64, epochs=3, shuffle=False, verbose=0).history["loss"]
    assert h_ours[-1] < 0.7 * h_ours[0]
    np.testing.assert_allclose(h_ours, h_theirs, rtol=3e-2)
    assert [w.dtype for w in ours.weights] == [np.dtype("float32")] * len(ours.weights)
    assert all(np.all(np.isfinite(w)) for w in ours.get_weights())
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(got, want, atol=5e-2)
    assert ours.predict(x[:8], verbose=0).dtype == np.float32
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(
        theirs.evaluate(x, y, verbose=0), rel=3e-2)


def test_fit_under_mixed_float16_with_loss_scaling_tracks_tf_keras(tf):
    x, y = digits(256)

    def make(K):
        return K.Sequential([K.Input((64,)), K.layers.Dense(32, activation="relu"),
                             K.layers.Dense(10), K.layers.Activation("softmax", dtype="float32")])

    tf.keras.config.set_dtype_policy("mixed_float16")
    theirs = make(tf.keras)
    mixed_precision.set_global_policy("mixed_float16")
    ours = make(jkeras)
    ours.set_weights(theirs.get_weights())
    for model, K in ((ours, jkeras), (theirs, tf.keras)):
        model.compile(optimizer=K.optimizers.LossScaleOptimizer(K.optimizers.SGD(0.1)),
                      loss="sparse_categorical_crossentropy")
    h_ours = ours.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    h_theirs = theirs.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h_ours, h_theirs, rtol=1e-3)
    assert float(np.asarray(ours.optimizer.dynamic_scale)) == \
        float(theirs.optimizer.dynamic_scale.numpy())
    assert [w.dtype for w in ours.weights] == [np.dtype("float32")] * len(ours.weights)

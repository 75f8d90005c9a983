"""Regularizers, constraints and add_loss in fit / evaluate / train_on_batch against tf.keras.

Weights copied from tf.keras, shuffle off; 100 samples in batches of 16 give 6 full batches and a
partial one of 4 (the activity penalty is divided by the batch size), 8 epochs = 56 steps.
"""
import numpy as np
import pytest

import jkeras

N, D, BS, EPOCHS = 100, 6, 16, 8


def _data(shape=(D,), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N,) + shape).astype("float32")
    return x, rng.standard_normal((N, 1)).astype("float32")


def _mlp(mod):
    L, R, C = mod.layers, mod.regularizers, mod.constraints
    return mod.Sequential([
        mod.Input((D,)),
        L.Dense(8, activation="tanh", kernel_regularizer=R.L1(0.01),
                bias_regularizer=R.L2(0.02), activity_regularizer=R.L2(0.01),
                kernel_constraint=C.MaxNorm(0.8)),
        L.Dense(6, activation="relu", kernel_regularizer=R.L1L2(0.01, 0.02),
                bias_regularizer=R.L1(0.01), kernel_constraint=C.NonNeg()),
        L.ActivityRegularization(l1=0.001, l2=0.002),
        L.Dense(1, kernel_regularizer="l2", bias_constraint=C.MinMaxNorm(0.0, 0.5, axis=0))])


def _conv(mod):
    L, R, C = mod.layers, mod.regularizers, mod.constraints
    return mod.Sequential([
        mod.Input((6, 6, 2)),
        L.Conv2D(3, 3, activation="relu", kernel_regularizer=R.L2(0.01),
                 bias_regularizer=R.L1(0.01), activity_regularizer=R.L1(0.001),
                 kernel_constraint=C.MaxNorm(1.0, axis=[0, 1, 2])),
        L.Flatten(), L.Dense(2, kernel_regularizer=R.OrthogonalRegularizer(0.05, "columns")),
        L.Dense(1, kernel_regularizer=R.OrthogonalRegularizer(0.05, "rows"))])


def _lstm(mod):
    L, R, C = mod.layers, mod.regularizers, mod.constraints
    return mod.Sequential([
        mod.Input((4, 3)),
        L.LSTM(5, kernel_regularizer=R.L2(0.01), recurrent_regularizer=R.L1(0.01),
               bias_regularizer=R.L2(0.02), activity_regularizer=R.L2(0.01),
               recurrent_constraint=C.UnitNorm(axis=0)),
        L.Dense(1)])


def _subclassed(mod):
    class AuxLoss(mod.Model):
        def __init__(self):
            super().__init__()
            self.hidden = mod.layers.Dense(8, activation="tanh",
                                           kernel_regularizer=mod.regularizers.L2(0.01))
            self.out = mod.layers.Dense(1)

        def call(self, x):
            h = self.hidden(x)
            self.add_loss(0.05 * mod.ops.mean(mod.ops.square(h)))
            return self.out(h)
    return AuxLoss()


MODELS = {"mlp": (_mlp, (D,)), "conv2d": (_conv, (6, 6, 2)), "lstm": (_lstm, (4, 3)),
          "subclassed_add_loss": (_subclassed, (D,))}


def _opt(mod, name):
    return mod.optimizers.SGD(0.05) if name == "sgd" else mod.optimizers.Adam(0.01)


def _pair(tf, name, opt):
    make, shape = MODELS[name]
    x, y = _data(shape)
    tm, jm = make(tf.keras), make(jkeras)
    tm(x[:2])
    jm(x[:2])
    jm.set_weights(tm.get_weights())
    tm.compile(optimizer=_opt(tf.keras, opt), loss="mse")
    jm.compile(optimizer=_opt(jkeras, opt), loss="mse")
    return tm, jm, x, y


def _close(jm, tm, rtol=1e-4, atol=1e-6):
    for a, b in zip(jm.get_weights(), tm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _same_losses(jm, tm, x, rtol=1e-5):
    tm(x)
    jm(x)
    got, want = [float(v) for v in jm.losses], [float(v) for v in tm.losses]
    assert len(got) == len(want) > 0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_fit_trajectory_matches_tf_keras(tf, name, opt):
    tm, jm, x, y = _pair(tf, name, opt)
    _same_losses(jm, tm, x[:10])
    ht = tm.fit(x, y, batch_size=BS, epochs=EPOCHS, shuffle=False, verbose=0)
    hj = jm.fit(x, y, batch_size=BS, epochs=EPOCHS, shuffle=False, verbose=0)
    assert np.all(np.isfinite(ht.history["loss"]))
    np.testing.assert_allclose(hj.history["loss"], ht.history["loss"], rtol=1e-4)
    _close(jm, tm)
    _same_losses(jm, tm, x[:10])
    np.testing.assert_allclose(jm.evaluate(x, y, batch_size=BS, verbose=0),
                               tm.evaluate(x, y, batch_size=BS, verbose=0), rtol=1e-4)


def test_train_on_batch_includes_the_penalties(tf):
    tm, jm, x, y = _pair(tf, "mlp", "sgd")
    for i in range(3):
        got = jm.train_on_batch(x[:BS], y[:BS])
        want = tm.train_on_batch(x[:BS], y[:BS])
        np.testing.assert_allclose(got, want, rtol=1e-5)
    _close(jm, tm, rtol=1e-5)
    np.testing.assert_allclose(jm.test_on_batch(x[:BS], y[:BS]),
                               tm.test_on_batch(x[:BS], y[:BS]), rtol=1e-5)


def test_keras_file_from_tf_keras_loads_and_trains_on_identically(tf, tmp_path):
    tm, _, x, y = _pair(tf, "mlp", "adam")
    tm.fit(x, y, batch_size=BS, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / "tf.keras")
    tm.save(path)
    jm = jkeras.models.load_model(path)
    assert type(jm.layers[0].kernel_regularizer).__name__ == "L1"
    assert type(jm.layers[1].kernel_constraint).__name__ == "NonNeg"
    _close(jm, tm, rtol=1e-6)
    ht = tm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0)
    hj = jm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hj.history["loss"], ht.history["loss"], rtol=1e-4)
    _close(jm, tm)


def test_jkeras_file_loads_in_tf_keras_and_trains_on_identically(tf, tmp_path):
    _, jm, x, y = _pair(tf, "mlp", "adam")
    jm.fit(x, y, batch_size=BS, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / "jk.keras")
    jm.save(path)
    tm = tf.keras.models.load_model(path)
    assert type(tm.layers[0].activity_regularizer).__name__ == "L2"
    assert type(tm.layers[0].kernel.constraint).__name__ == "MaxNorm"
    _close(jm, tm, rtol=1e-6)
    hj = jm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0)
    ht = tm.fit(x, y, batch_size=BS, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hj.history["loss"], ht.history["loss"], rtol=1e-4)
    _close(jm, tm)

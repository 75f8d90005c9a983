"""Optimizer variables across tf.keras and jkeras: tf.keras trains and saves, jkeras loads
weights + optimizer variables (Adam, SGD with momentum) and one more epoch in each library gives
the same weights; and the other way round. This checks the slots' order (Adam's interleaved
momentum/velocity, nested Bidirectional weights), iterations and the learning rate."""
import h5py
import numpy as np
import pytest

import jkeras


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def seq_bn(k):
    # No dropout (random in training) and no bias just before BatchNormalization (its gradient
    # is rounding noise, which Adam magnifies): training goes on the same in both libraries.
    L = k.layers
    return k.Sequential([k.Input((4,)), L.BatchNormalization(), L.Dense(3, activation="tanh"),
                         L.Dense(2)])


def func_rnn(k):
    L = k.layers
    inp = k.Input((5, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True))(inp)
    x = L.GRU(3)(x)
    return k.Model(inp, L.Dense(1)(x))


MODELS = {"seq_bn": (seq_bn, (16, 4), 2), "func_rnn": (func_rnn, (16, 5, 3), 1)}
OPTIMIZERS = {"adam": lambda k: k.optimizers.Adam(0.01),
              "sgd_momentum": lambda k: k.optimizers.SGD(0.05, momentum=0.9)}
CASES = [("seq_bn", "adam"), ("seq_bn", "sgd_momentum"), ("func_rnn", "adam")]


def xy(name):
    _, shape, out = MODELS[name]
    return data(shape, 1), data((16, out), 2)


def trained(k, name, opt, epochs):
    model = MODELS[name][0](k)
    model.compile(optimizer=OPTIMIZERS[opt](k), loss="mse")
    x, y = xy(name)
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model


def one_more_epoch(*models, name):
    x, y = xy(name)
    for model in models:
        model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)


def assert_same_weights(ours, theirs):
    a, b = ours.get_weights(), [np.asarray(w) for w in theirs.get_weights()]
    assert [w.shape for w in a] == [w.shape for w in b]
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,opt", CASES)
def test_tf_keras_optimizer_state_continues_in_jkeras(name, opt, tf, tmp_path):
    theirs = trained(tf.keras, name, opt, epochs=2)
    path = str(tmp_path / "tf.weights.h5")
    theirs.save_weights(path)
    ours = MODELS[name][0](jkeras)
    ours.compile(optimizer=OPTIMIZERS[opt](jkeras), loss="mse")
    ours.load_weights(path)  # its optimizer is not built yet: built, then assigned
    assert int(ours.optimizer.iterations) == int(theirs.optimizer.iterations) == 4
    one_more_epoch(theirs, ours, name=name)
    assert_same_weights(ours, theirs)


@pytest.mark.parametrize("name,opt", CASES)
def test_jkeras_optimizer_state_continues_in_tf_keras(name, opt, tf, tmp_path):
    ours = trained(jkeras, name, opt, epochs=2)
    path = str(tmp_path / "jk.weights.h5")
    ours.save_weights(path)
    theirs = MODELS[name][0](tf.keras)
    theirs.compile(optimizer=OPTIMIZERS[opt](tf.keras), loss="mse")
    theirs.optimizer.build(theirs.trainable_variables)  # tf.keras loads only into a built one
    theirs.load_weights(path)
    assert int(theirs.optimizer.iterations) == 4
    with h5py.File(path, "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert len(saved) == len(theirs.optimizer.variables)
    for value, var in zip(saved, theirs.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(var), value)
    one_more_epoch(theirs, ours, name=name)
    assert_same_weights(ours, theirs)

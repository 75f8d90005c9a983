"""`.weights.h5` optimizer variables of the newer optimizers across tf.keras and jkeras:
one library trains and saves, the other loads weights + optimizer variables and both train
one more epoch to the same weights. Covers Nadam's trailing `u_product` scalar, Adamax's
interleaved momentum/norm, Adafactor's factored r/c slots, and the base options' "average"
(use_ema) and "gradient_accumulator" slots that Keras creates before the rule's own."""
import h5py
import numpy as np
import pytest

import jkeras

OPTIMIZERS = {
    "nadam": lambda k: k.optimizers.Nadam(0.01),
    "adamax": lambda k: k.optimizers.Adamax(0.02),
    "adafactor": lambda k: k.optimizers.Adafactor(0.05),
    "nadam_ema_accumulate": lambda k: k.optimizers.Nadam(
        0.01, use_ema=True, ema_momentum=0.9, gradient_accumulation_steps=3),
}


def data(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


X, Y = data((16, 4), 1), data((16, 2), 2)


def build(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(3, activation="tanh"), L.Dense(2)])


def copy_weights(src, dst):
    dst.set_weights([np.asarray(w) for w in src.get_weights()])


def fit(model, epochs):
    model.fit(X, Y, epochs=epochs, batch_size=4, shuffle=False, verbose=0)


def assert_same_weights(ours, theirs):
    for u, v in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(u, np.asarray(v), rtol=1e-5, atol=1e-5)


def assert_same_optimizer_variables(ours, theirs):
    from jkeras.saving import optimizer_vars
    view = optimizer_vars.current_view(ours, ours.optimizer)
    arrays = view.keras_arrays(ours.optimizer)
    assert [a.shape for a in arrays] == [tuple(v.shape) for v in theirs.optimizer.variables]
    for a, v in zip(arrays, theirs.optimizer.variables):
        np.testing.assert_allclose(a, np.asarray(v), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_tf_keras_state_continues_in_jkeras(opt, tf, tmp_path):
    theirs = build(tf.keras)
    theirs.compile(optimizer=OPTIMIZERS[opt](tf.keras), loss="mse")
    fit(theirs, 2)
    path = str(tmp_path / "tf.weights.h5")
    theirs.save_weights(path)
    ours = build(jkeras)
    ours.compile(optimizer=OPTIMIZERS[opt](jkeras), loss="mse")
    ours.load_weights(path)
    assert int(ours.optimizer.iterations) == int(theirs.optimizer.iterations)
    assert_same_optimizer_variables(ours, theirs)
    for model in (theirs, ours):
        fit(model, 1)
    assert_same_optimizer_variables(ours, theirs)
    if "ema" not in opt:  # tf.keras's fit ends by writing the averages into the weights
        assert_same_weights(ours, theirs)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_jkeras_state_continues_in_tf_keras(opt, tf, tmp_path):
    ours = build(jkeras)
    ours.compile(optimizer=OPTIMIZERS[opt](jkeras), loss="mse")
    fit(ours, 2)
    path = str(tmp_path / "jk.weights.h5")
    ours.save_weights(path)
    theirs = build(tf.keras)
    theirs.compile(optimizer=OPTIMIZERS[opt](tf.keras), loss="mse")
    theirs.optimizer.build(theirs.trainable_variables)
    theirs.load_weights(path)
    with h5py.File(path, "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert [np.shape(v) for v in saved] == [tuple(v.shape) for v in theirs.optimizer.variables]
    for value, var in zip(saved, theirs.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(var), value)
    for model in (theirs, ours):
        fit(model, 1)
    assert_same_optimizer_variables(ours, theirs)
    if "ema" not in opt:  # tf.keras's fit ends by writing the averages into the weights
        assert_same_weights(ours, theirs)

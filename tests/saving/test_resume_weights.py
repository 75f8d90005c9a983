"""Resuming training from a `.weights.h5` file: fit 2 epochs, save, a new model (same
architecture) compiled and loaded, fit 2 more == fit 4 epochs without a break (the optimizer's
iterations, learning rate and slots come back). Every jkeras optimizer round-trips."""
import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving import optimizer_vars

X = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
Y = np.random.default_rng(1).normal(size=(32, 2)).astype(np.float32)

OPTIMIZERS = {
    "adam": lambda: jkeras.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: jkeras.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: jkeras.optimizers.AdamW(0.01),
    "sgd_nesterov": lambda: jkeras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop_centered": lambda: jkeras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda: jkeras.optimizers.Adagrad(0.1),
}


def model(opt):
    jkeras.utils.set_random_seed(3)
    m = jkeras.Sequential([jkeras.Input((4,)), L.Dense(5, activation="tanh"),
                           L.BatchNormalization(), L.Dense(2)])
    m.compile(optimizer=OPTIMIZERS[opt](), loss="mse")
    return m


def fit(m, epochs):
    m.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_fit_save_load_fit_equals_uninterrupted_fit(opt, tmp_path):
    path = str(tmp_path / "ckpt.weights.h5")
    first = model(opt)
    fit(first, 2)
    first.save_weights(path)
    resumed = model(opt)
    resumed.load_weights(path)
    assert int(resumed.optimizer.iterations) == 8
    fit(resumed, 2)
    straight = model(opt)
    fit(straight, 4)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_adam_variables_in_keras_order(tmp_path):
    m = model("adam")
    fit(m, 1)
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    state = m.engine.opt_state
    slots, params = state.slots, m.get_variables()["params"]
    names = [("dense", "kernel"), ("dense", "bias"), ("batch_normalization", "gamma"),
             ("batch_normalization", "beta"), ("dense_1", "kernel"), ("dense_1", "bias")]
    expected = [np.int64(4), np.float32(0.01)]
    for layer, weight in names:  # Keras interleaves momentum and velocity per variable
        expected += [slots["momentum"][layer][weight], slots["velocity"][layer][weight]]
    with h5py.File(path, "r") as f:
        group = f["optimizer/vars"]
        assert group.attrs["name"] == m.optimizer.name
        assert len(group) == len(expected) == 2 + 2 * len(names)
        assert group["0"].dtype == np.int64
        for i, value in enumerate(expected):
            np.testing.assert_array_equal(group[str(i)][()], np.asarray(value))
    assert set(params) == {"dense", "batch_normalization", "dense_1"}


def test_rmsprop_groups_are_not_interleaved():
    opt = jkeras.optimizers.RMSprop(momentum=0.5, centered=True)
    assert optimizer_vars.slot_groups(opt) == [["velocity"], ["momentum"], ["average_gradient"]]
    adam = jkeras.optimizers.Adam(amsgrad=True)
    assert optimizer_vars.slot_groups(adam) == [["momentum", "velocity"], ["velocity_hat"]]


def test_learning_rate_comes_back_from_the_file(tmp_path):
    m = model("adam")
    fit(m, 1)
    m.optimizer.learning_rate = 0.003  # as a callback (ReduceLROnPlateau) would
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    other = model("adam")
    other.load_weights(path)
    np.testing.assert_allclose(other.optimizer.learning_rate, 0.003, rtol=1e-6)


def test_schedule_has_no_learning_rate_variable(tmp_path):
    sched = jkeras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    m = model("adam")
    m.compile(optimizer=jkeras.optimizers.SGD(sched, momentum=0.9), loss="mse")
    fit(m, 1)
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    with h5py.File(path, "r") as f:
        assert len(f["optimizer/vars"]) == 1 + len(m.trainable_weights)  # iterations + slots
    other = model("adam")
    other.compile(optimizer=jkeras.optimizers.SGD(sched, momentum=0.9), loss="mse")
    other.load_weights(path)
    assert int(other.optimizer.iterations) == 4


def test_uncompiled_model_ignores_the_optimizer_group(tmp_path):
    m = model("adam")
    fit(m, 1)
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    plain = jkeras.Sequential([jkeras.Input((4,)), L.Dense(5, activation="tanh"),
                               L.BatchNormalization(), L.Dense(2)])
    plain.load_weights(path)
    for a, b in zip(plain.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_file_without_optimizer_warns_and_keeps_the_optimizer_unbuilt(tmp_path):
    plain = jkeras.Sequential([jkeras.Input((4,)), L.Dense(5, activation="tanh"),
                               L.BatchNormalization(), L.Dense(2)])
    path = str(tmp_path / "plain.weights.h5")
    plain.save_weights(path)
    m = model("adam")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        m.load_weights(path)
    assert m.engine.opt_state is None
    for a, b in zip(plain.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_custom_loop_apply_gradients_state_round_trips(tmp_path):
    import jax
    m = jkeras.Sequential([jkeras.Input((4,)), L.Dense(2)])
    opt = jkeras.optimizers.Adam(0.01)
    m.compile(optimizer=opt, loss="mse")
    grads = [np.ones(w.shape, np.float32) for w in m.trainable_weights]
    opt.apply_gradients(zip(grads, m.trainable_weights))
    path = str(tmp_path / "loop.weights.h5")
    m.save_weights(path)
    with h5py.File(path, "r") as f:
        assert len(f["optimizer/vars"]) == 2 + 2 * 2
        np.testing.assert_array_equal(f["optimizer/vars/0"][()], 1)
        np.testing.assert_allclose(f["optimizer/vars/2"][()], 0.1 * np.ones((4, 2)))  # m
    opt._imp_state = jax.tree_util.tree_map(np.zeros_like, opt._imp_state)
    m.load_weights(path)
    assert int(opt.iterations) == 1
    np.testing.assert_allclose(np.asarray(opt._imp_state.slots["momentum"][0]), 0.1)


def test_optax_transform_state_round_trips(tmp_path):
    import optax
    make = lambda: jkeras.optimizers.get(optax.adam(0.01))  # noqa: E731
    m = model("adam")
    m.compile(optimizer=make(), loss="mse")
    fit(m, 2)
    path = str(tmp_path / "optax.weights.h5")
    m.save_weights(path)
    resumed = model("adam")
    resumed.compile(optimizer=make(), loss="mse")
    resumed.load_weights(path)
    fit(resumed, 1)
    fit(m, 1)
    for a, b in zip(resumed.get_weights(), m.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)

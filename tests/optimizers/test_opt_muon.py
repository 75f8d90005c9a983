"""Muon against tf.keras: 50-step trajectories (Muon and Adam variables side by side, with the
base options), the imperative path, config, errors, and `.weights.h5` optimizer variables in
Keras's layout (momentum for every variable, velocity only for the Adam ones)."""
import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import optimizers as O
from .opt_helpers import FakeVar, nest, tf_trajectory

STEPS = 50
# path -> shape: a wide and a tall 2-D kernel (Muon), a bias and a scalar (Adam, not 2-D),
# an embedding table (Adam via exclude_embeddings) and "head" (Adam via exclude_layers).
SHAPES = {"dense/kernel": (4, 3), "tall/kernel": (5, 2), "dense/bias": (3,), "scale/w": (),
          "embedding/embeddings": (6, 2), "head/kernel": (3, 2)}
OPTIONS = {
    "defaults": {},
    "lr_no_wd": {"learning_rate": 0.02, "weight_decay": None, "adam_weight_decay": None},
    "plain_momentum": {"nesterov": False, "rms_rate": None, "adam_lr_ratio": 0.1,
                       "weight_decay": 0.05, "adam_weight_decay": None},
    "ema_accumulate": {"use_ema": True, "ema_momentum": 0.9, "gradient_accumulation_steps": 2,
                       "ns_steps": 3, "exclude_embeddings": False},
    "clip_schedule": {"global_clipnorm": 0.5, "learning_rate": "sched", "momentum": 0.8},
}


def _data(seed=3):
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = [{k: (rng.normal(size=s) * 10.0 ** rng.uniform(-4, 0.5)).astype(np.float32)
              for k, s in SHAPES.items()} for _ in range(STEPS)]
    return params, grads


def _make(module, option):
    kwargs = {"exclude_layers": ["head"], **OPTIONS[option]}
    if kwargs.get("learning_rate") == "sched":
        kwargs["learning_rate"] = module.schedules.ExponentialDecay(0.02, 9, 0.7)
    return module.Muon(**kwargs)


def _run_tf(tf, option, params, grads):
    keras = tf.keras
    opt = _make(keras.optimizers, option)
    tvars = []
    for path in SHAPES:
        scope, name = path.split("/")
        with keras.name_scope(scope):
            tvars.append(keras.Variable(params[path], name=name))
    assert [v.path for v in tvars] == list(SHAPES)
    return tf_trajectory(tf, opt, tvars, grads, list(SHAPES)), opt


def _close(a, b, label):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6 * float(np.max(np.abs(b))),
                               err_msg=label)


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_trajectory_matches_tf_keras(option, tf):
    params, grads = _data()
    theirs, tf_opt = _run_tf(tf, option, params, grads)
    opt = _make(O, option)
    p = nest({k: jnp.asarray(v) for k, v in params.items()})
    state = opt.init(p)
    step = jax.jit(lambda p, s, g: opt.step(g, p, s))
    for i, g in enumerate(grads):
        p, state = step(p, state, nest(g))
        if (i + 1) % 10 == 0:
            for k in SHAPES:
                scope, name = k.split("/")
                _close(np.asarray(p[scope][name]), theirs[i // 10][k],
                       f"{option}: {k} after {i + 1} steps")
    # The Muon variables moved by more than the Adam step could explain.
    assert not np.allclose(theirs[-1]["dense/kernel"], params["dense/kernel"], atol=1e-3)
    # Keras's optimizer variables, in order, equal our state read in Keras's layout.
    ours = [np.asarray(state.iterations)] + [np.asarray(state.learning_rate)] * (
        state.learning_rate is not None)
    for group_value in _keras_slot_order(opt, state):
        ours.append(group_value)
    keras_vars = [np.asarray(v) for v in tf_opt.variables]
    assert [np.shape(a) for a in ours] == [np.shape(b) for b in keras_vars]
    for n, (a, b) in enumerate(zip(ours[1:], keras_vars[1:])):
        _close(a, b, f"{option}: optimizer variable {n + 1}")


def _keras_slot_order(opt, state):
    for group in opt.keras_slot_groups():
        for k in SHAPES:
            scope, name = k.split("/")
            for slot in group:
                value = state.slots[slot][scope][name]
                if value is not None:
                    yield np.asarray(value)


def test_apply_gradients_uses_variable_paths(tf):
    params, grads = _data(5)
    theirs, tf_opt = _run_tf(tf, "defaults", params, grads)
    opt = _make(O, "defaults")
    jvars = [FakeVar(params[k], k) for k in SHAPES]
    for i, g in enumerate(grads):
        opt.apply_gradients([(jnp.asarray(g[k]), v) for k, v in zip(SHAPES, jvars)])
    for k, v in zip(SHAPES, jvars):
        _close(np.asarray(v.value), theirs[-1][k], f"apply_gradients: {k}")
    assert len(opt.variables) == len(tf_opt.variables)
    assert int(opt.iterations) == STEPS


def test_config_round_trips_with_tf_keras(tf):
    theirs = tf.keras.optimizers.Muon(learning_rate=0.01, exclude_layers=["out"], ns_steps=4,
                                      rms_rate=None, nesterov=False)
    ours = O.deserialize(tf.keras.optimizers.serialize(theirs))
    assert type(ours) is O.Muon
    assert ours.get_config() == theirs.get_config()
    assert type(O.get("muon")) is O.Muon
    back = tf.keras.optimizers.deserialize(O.serialize(ours))
    assert back.get_config() == theirs.get_config()


def test_newton_schulz_needs_a_matrix(tf):
    with pytest.raises(ValueError) as theirs:
        tf.keras.optimizers.Muon().zeropower_via_newtonschulz5(np.ones(3, np.float32), 5)
    with pytest.raises(ValueError) as ours:
        O.Muon().zeropower_via_newtonschulz5(jnp.ones(3), 5)
    assert str(ours.value) == str(theirs.value)


def _model(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(3, activation="tanh"), L.Dense(2, name="out")])


def test_weights_h5_optimizer_variables_in_keras_layout(tf, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype(np.float32)
    y = rng.normal(size=(16, 2)).astype(np.float32)
    ours = _model(jkeras)
    ours.compile(optimizer=O.Muon(0.01, exclude_layers=["out"]), loss="mse")
    theirs = _model(tf.keras)
    theirs.set_weights(ours.get_weights())
    theirs.compile(optimizer=tf.keras.optimizers.Muon(0.01, exclude_layers=["out"]), loss="mse")
    for m in (ours, theirs):
        m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        _close(np.asarray(a), np.asarray(b), "weights after fit")
    path = str(tmp_path / "jk.weights.h5")
    ours.save_weights(path)
    with h5py.File(path, "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert [np.shape(v) for v in saved] == [tuple(v.shape) for v in theirs.optimizer.variables]
    for value, var in zip(saved[1:], theirs.optimizer.variables[1:]):
        _close(value, np.asarray(var), "saved optimizer variable")
    # tf.keras continues from our file exactly as from its own state.
    again = _model(tf.keras)
    again.compile(optimizer=tf.keras.optimizers.Muon(0.01, exclude_layers=["out"]), loss="mse")
    again.optimizer.build(again.trainable_variables)
    again.load_weights(path)
    for m in (again, theirs, ours):
        m.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for a, b, c in zip(again.get_weights(), theirs.get_weights(), ours.get_weights()):
        _close(np.asarray(a), np.asarray(b), "tf.keras resumed from our file")
        _close(np.asarray(c), np.asarray(b), "jkeras after a third epoch")

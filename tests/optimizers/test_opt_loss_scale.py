"""LossScaleOptimizer against tf.keras: the loss-scale trajectory (doubling every
`dynamic_growth_steps` finite steps, halving and skipping on inf / NaN gradients) over 60
steps, `fit` with a batch whose gradients overflow, `.weights.h5` in Keras's layout (own
variables, then the inner optimizer's; the `inner_optimizer` child group), config and errors."""
import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import optimizers as O
from .opt_helpers import FakeVar, resume_from_file

STEPS = 60
SHAPES = {"kernel": (4, 3), "bias": (3,)}
BAD = {7: np.inf, 8: -np.inf, 30: np.nan, 31: np.inf}  # step -> value put in one gradient


def _data(seed=2):
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = []
    for i in range(STEPS):
        g = {k: (rng.normal(size=s) * 256.0).astype(np.float32) for k, s in SHAPES.items()}
        if i in BAD:
            g["bias"][1] = BAD[i]
        grads.append(g)
    return params, grads


INNER = {
    "adam": lambda m: m.optimizers.Adam(0.01),
    "sgd_ema": lambda m: m.optimizers.SGD(0.05, momentum=0.9, use_ema=True, ema_momentum=0.9),
}


@pytest.mark.parametrize("inner", sorted(INNER))
def test_loss_scale_trajectory_matches_tf_keras(inner, tf):
    params, grads = _data()
    theirs = tf.keras.optimizers.LossScaleOptimizer(INNER[inner](tf.keras), initial_scale=64.0,
                                                    dynamic_growth_steps=4)
    tvars = [tf.Variable(params[k]) for k in SHAPES]
    theirs.build(tvars)

    @tf.function
    def tf_step(gs):
        theirs.apply_gradients(zip(gs, tvars))

    ours = O.LossScaleOptimizer(INNER[inner](jkeras), initial_scale=64.0, dynamic_growth_steps=4)
    p = {k: jnp.asarray(v) for k, v in params.items()}
    state = ours.init(p)
    step = jax.jit(lambda p, s, g: ours.step(g, p, s))
    scales = []
    for i, g in enumerate(grads):
        tf_step([tf.constant(g[k]) for k in SHAPES])
        p, state = step(p, state, g)
        assert float(state.slots["dynamic_scale"]) == float(theirs.dynamic_scale.numpy()), i
        assert int(state.slots["step_counter"]) == int(theirs.step_counter.numpy()), i
        assert int(state.iterations) == int(theirs.iterations.numpy()), i
        for k, v in zip(SHAPES, tvars):
            np.testing.assert_allclose(np.asarray(p[k]), v.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{k} after step {i}")
        scales.append(float(state.slots["dynamic_scale"]))
    # The trajectory went both ways: halved at the bad steps, doubled in between.
    assert scales[7] == scales[6] / 2 and scales[8] == scales[6] / 4
    assert max(scales) > 64.0 and int(state.iterations) == STEPS - len(BAD)
    ours._last_state = state
    assert float(ours.dynamic_scale) == scales[-1]
    assert int(ours.iterations) == STEPS - len(BAD)


def _model(k):
    L = k.layers
    return k.Sequential([k.Input((3,)), L.Dense(4, activation="tanh"), L.Dense(2)])


def _fit_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = rng.normal(size=(64, 2)).astype(np.float32)
    y[21] = 1e10  # batch 5 of every epoch: its gradients times the scale overflow float32
    return x, y


def _compile(k, model):
    model.compile(optimizer=k.optimizers.LossScaleOptimizer(
        k.optimizers.Adam(0.01), initial_scale=2.0**100, dynamic_growth_steps=5), loss="mse")


def test_fit_matches_tf_keras_through_overflowing_batches(tf, tmp_path):
    x, y = _fit_data()
    ours, theirs = _model(jkeras), _model(tf.keras)
    theirs.set_weights(ours.get_weights())
    _compile(jkeras, ours)
    _compile(tf.keras, theirs)
    h_ours = ours.fit(x, y, epochs=4, batch_size=4, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, epochs=4, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
    opt, tf_opt = ours.optimizer, theirs.optimizer
    assert int(opt.iterations) == int(tf_opt.iterations.numpy()) == 4 * 15
    assert float(opt.dynamic_scale) == float(tf_opt.dynamic_scale.numpy())
    assert int(opt.step_counter) == int(tf_opt.step_counter.numpy())

    # .weights.h5: Keras's variables, and tf.keras continues from our file as from its own.
    path = str(tmp_path / "jk.weights.h5")
    ours.save_weights(path)
    with h5py.File(path, "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
        inner = [f[f"optimizer/inner_optimizer/vars/{i}"][()]
                 for i in range(len(f["optimizer/inner_optimizer/vars"]))]
    keras_vars = [np.asarray(v) for v in tf_opt.variables]
    assert [np.shape(a) for a in saved] == [np.shape(b) for b in keras_vars]
    for a, b in zip(saved, keras_vars):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert len(inner) == len(tf_opt.inner_optimizer.variables)
    again, back = _model(tf.keras), _model(jkeras)
    _compile(tf.keras, again)
    _compile(jkeras, back)
    resume_from_file(path, again, back, theirs, x, y)
    assert float(back.optimizer.dynamic_scale) == float(again.optimizer.dynamic_scale.numpy())


def test_config_round_trips_and_errors_match_tf_keras(tf):
    theirs = tf.keras.optimizers.LossScaleOptimizer(tf.keras.optimizers.SGD(0.1),
                                                    initial_scale=128.0, dynamic_growth_steps=7)
    ours = O.deserialize(tf.keras.optimizers.serialize(theirs))
    assert type(ours) is O.LossScaleOptimizer and type(ours.inner_optimizer) is O.SGD
    assert ours.get_config() == theirs.get_config()
    assert tf.keras.optimizers.deserialize(O.serialize(ours)).get_config() == \
        theirs.get_config()
    assert type(O.get(theirs)) is O.LossScaleOptimizer
    for kwargs in ({"dynamic": False}, {"clipnorm": 1.0}, {"use_ema": True}, {"foo": 1}):
        with pytest.raises(ValueError) as e_theirs:
            tf.keras.optimizers.LossScaleOptimizer(tf.keras.optimizers.SGD(), **kwargs)
        with pytest.raises(ValueError) as e_ours:
            O.LossScaleOptimizer(O.SGD(), **kwargs)
        assert str(e_ours.value) == str(e_theirs.value)
    with pytest.raises(TypeError, match="inner_optimizer"):
        O.LossScaleOptimizer("adam")


def test_learning_rate_and_scale_loss_go_through_the_inner_optimizer():
    inner = O.Adam(0.01, loss_scale_factor=4.0)
    opt = O.LossScaleOptimizer(inner, initial_scale=8.0)
    assert inner.loss_scale_factor is None  # as Keras: never scaled twice
    assert float(opt.scale_loss(jnp.float32(2.0))) == 16.0
    opt.learning_rate = 0.5
    assert float(inner.learning_rate) == 0.5 and float(opt.learning_rate) == 0.5


def test_apply_gradients_skips_non_finite_steps():
    w = FakeVar(np.ones(2, np.float32))
    opt = O.LossScaleOptimizer(O.SGD(1.0), initial_scale=4.0, dynamic_growth_steps=2)
    opt.apply_gradients([(jnp.asarray([4.0, 8.0]), w)])  # unscaled: [1, 2]
    np.testing.assert_allclose(np.asarray(w.value), [0.0, -1.0])
    opt.apply_gradients([(jnp.asarray([np.inf, 1.0]), w)])
    np.testing.assert_allclose(np.asarray(w.value), [0.0, -1.0])
    assert float(opt.dynamic_scale) == 2.0 and int(opt.iterations) == 1
    opt.apply_gradients([(jnp.asarray([2.0, 2.0]), w)])
    opt.apply_gradients([(jnp.asarray([2.0, 2.0]), w)])  # second finite step: grows
    np.testing.assert_allclose(np.asarray(w.value), [-2.0, -3.0])
    assert float(opt.dynamic_scale) == 4.0 and int(opt.iterations) == 3
    assert len(opt.variables) > 0


class _KerasFormStep(jkeras.Sequential):
    def train_step(self, state, data):
        return super().train_step(state, data)


def test_keras_form_train_step_scales_by_the_traced_state():
    """A `train_step(state, data)` override (Keras's JAX form) scales the loss by the scale in
    its optimizer variables: the same trajectory as the built-in step, overflows included."""
    x, y = _fit_data()
    models, start = [], None
    for cls in (jkeras.Sequential, _KerasFormStep):
        L = jkeras.layers
        m = cls([jkeras.Input((3,)), L.Dense(4, activation="tanh"), L.Dense(2)])
        start = start or [np.asarray(w) for w in m.get_weights()]
        m.set_weights(start)
        _compile(jkeras, m)
        m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
        models.append(m)
    plain, custom = models
    assert int(custom.optimizer.iterations) == int(plain.optimizer.iterations) == 2 * 15
    assert float(custom.optimizer.dynamic_scale) == float(plain.optimizer.dynamic_scale)
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-7)

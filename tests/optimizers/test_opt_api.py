"""The optimizer API: get(), configs, errors, learning-rate state and sync."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jkeras import optimizers as O
from jkeras.optimizers import schedules as S


@pytest.mark.parametrize("name, cls", [
    ("sgd", O.SGD), ("SGD", O.SGD), ("adam", O.Adam), ("Adam", O.Adam),
    ("ADAM", O.Adam), ("adamw", O.AdamW), ("AdamW", O.AdamW), ("rmsprop", O.RMSprop),
    ("RMSprop", O.RMSprop), ("adagrad", O.Adagrad), ("Adagrad", O.Adagrad),
])
def test_get_by_name(name, cls):
    opt = O.get(name)
    assert type(opt) is cls
    defaults = {O.SGD: 0.01, O.Adam: 0.001, O.AdamW: 0.001, O.RMSprop: 0.001,
                O.Adagrad: 0.001}
    assert opt.learning_rate == np.float32(defaults[cls])


def test_get_instance_none_dict_and_unknown():
    opt = O.RMSprop(0.05)
    assert O.get(opt) is opt
    assert O.get(None) is None
    got = O.get({"class_name": "Adam", "config": {"learning_rate": 0.02, "amsgrad": True}})
    assert type(got) is O.Adam and got.amsgrad and got.learning_rate == np.float32(0.02)
    with pytest.raises(ValueError) as err:
        O.get("foo")
    msg = str(err.value)
    assert msg.startswith("Could not interpret optimizer identifier: 'foo'")
    for name in ["sgd", "adam", "adamw", "rmsprop", "adagrad"]:
        assert f"'{name}'" in msg
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        O.get(42)


def test_get_wraps_optax_transform():
    opt = O.get(optax.sgd(0.5))
    assert isinstance(opt, O.OptaxOptimizer)
    params = {"w": jnp.ones(2)}
    state = opt.init(params)
    u, state = jax.jit(opt.update)({"w": jnp.ones(2)}, state, params)
    np.testing.assert_allclose(u["w"], [-0.5, -0.5])
    assert int(state.iterations) == 1 and state.learning_rate is None
    # Its learning rate is fixed inside the transform: callbacks cannot reach it.
    assert not hasattr(opt, "learning_rate")
    with pytest.raises(TypeError):
        opt.learning_rate = 0.1
    with pytest.raises(TypeError, match="no settable learning rate"):
        O.get_learning_rate(state)
    with pytest.raises(TypeError, match="not serializable"):
        opt.get_config()


@pytest.mark.parametrize("opt", [
    O.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=2.0),
    O.Adam(0.003, beta_1=0.8, amsgrad=True, weight_decay=0.01),
    O.AdamW(global_clipnorm=1.0),
    O.RMSprop(rho=0.8, momentum=0.1, centered=True, clipvalue=0.3),
    O.Adagrad(0.2, initial_accumulator_value=0.3, epsilon=1e-6),
    O.Adam(S.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)),
])
def test_config_roundtrip(opt):
    config = opt.get_config()
    for key in ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
                "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                "loss_scale_factor", "gradient_accumulation_steps"]:
        assert key in config
    again = type(opt).from_config(config)
    assert again.get_config() == config
    again = O.deserialize(O.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == config
    params = {"w": jnp.array([1.0, -2.0])}
    grads = {"w": jnp.array([0.5, 0.25])}
    a, _ = opt.update(grads, opt.init(params), params)
    b, _ = again.update(grads, again.init(params), params)
    np.testing.assert_array_equal(a["w"], b["w"])


def test_keras_names_and_float32_learning_rate_in_config():
    assert O.Adam(name="my_adam").name == "my_adam"
    assert O.AdamW().name.startswith("adam_w") and O.RMSprop().name.startswith("rm_sprop")
    first, second = O.Adagrad(), O.Adagrad()
    assert first.name != second.name
    assert O.Adam().get_config()["learning_rate"] == float(np.float32(0.001))


@pytest.mark.parametrize("make, match", [
    (lambda: O.AdamW(weight_decay=None), "`weight_decay` must be a float"),
    (lambda: O.SGD(momentum=1.5), r"`momentum` must be a float between \[0, 1\]"),
    (lambda: O.SGD(momentum=-0.1), r"`momentum` must be a float between \[0, 1\]"),
    (lambda: O.Adam(learning_rate="fast"), "Argument `learning_rate` should be float"),
    (lambda: O.Adam(lr=0.1), r"Argument\(s\) not recognized"),
])
def test_constructor_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_base_option_errors_use_keras_wording():
    with pytest.raises(ValueError, match=r"`ema_momentum` must be in the range \[0, 1\]"):
        O.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="`ema_overwrite_frequency` must be an integer >= 1"):
        O.Adam(use_ema=True, ema_overwrite_frequency=0.5)
    with pytest.raises(ValueError, match="`gradient_accumulation_steps` must be an integer >= 2"):
        O.SGD(gradient_accumulation_steps=1)
    O.Adam(ema_momentum=1.5)  # as Keras: only checked when use_ema=True
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        O.SGD(decay=0.1)


def test_weight_decay_needs_params():
    opt = O.AdamW()
    with pytest.raises(ValueError, match="needs `params`"):
        opt.update(jnp.ones(2), opt.init(jnp.ones(2)))


def test_learning_rate_lives_in_state_and_changes_without_recompiling():
    opt = O.SGD(learning_rate=0.1)
    params = {"w": jnp.ones(3)}
    grads = {"w": jnp.ones(3)}
    traces = []

    @jax.jit
    def step(params, state):
        traces.append(1)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    state = opt.init(params)
    assert state.learning_rate.dtype == jnp.float32 and state.learning_rate.shape == ()
    assert state.iterations.dtype == jnp.int32
    params, state = step(params, state)
    np.testing.assert_allclose(params["w"], 0.9)
    # Keras-style: set on the object (what callbacks do), then sync into the state.
    opt.learning_rate = 0.5
    assert opt.learning_rate == np.float32(0.5)
    state = opt.sync_state(state)
    params, state = step(params, state)
    np.testing.assert_allclose(params["w"], 0.4, rtol=1e-6)
    # Functional: edit the state directly.
    state = O.set_learning_rate(state, 0.25)
    np.testing.assert_allclose(O.get_learning_rate(state), 0.25)
    params, state = step(params, state)
    np.testing.assert_allclose(params["w"], 0.15, rtol=1e-6)
    assert len(traces) == 1
    assert int(state.iterations) == 3
    np.testing.assert_allclose(float(opt.current_learning_rate(state)), 0.25)


def test_schedule_learning_rate_is_not_settable_with_a_float():
    opt = O.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    state = opt.init(jnp.zeros(1))
    with pytest.raises(TypeError, match="no settable learning rate"):
        O.set_learning_rate(state, 0.1)
    assert opt.learning_rate == np.float32(0.1)  # value at iterations == 0
    opt._last_state = state._replace(iterations=jnp.asarray(2, jnp.int32))
    assert opt.iterations == 2
    np.testing.assert_allclose(opt.learning_rate, 0.025, rtol=1e-6)
    # Switching to another schedule is allowed (as in Keras).
    opt.learning_rate = S.PiecewiseConstantDecay([1], [1.0, 2.0])
    np.testing.assert_allclose(opt.learning_rate, 2.0)


def test_switching_float_to_schedule_updates_state_structure():
    opt = O.SGD(0.1)
    state = opt.init(jnp.zeros(1))
    opt.learning_rate = S.ExponentialDecay(1.0, 1, 0.5)
    state = opt.sync_state(state)
    assert state.learning_rate is None
    u, _ = opt.update(jnp.ones(1), state)
    np.testing.assert_allclose(u, [-1.0])


def test_accepts_keras_schedule_objects():
    class ExponentialDecay:  # looks like a keras schedule from another module
        __module__ = "keras.src.optimizers.schedules.learning_rate_schedule"

        def get_config(self):
            return {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5,
                    "staircase": False, "name": "ExponentialDecay"}

    opt = O.SGD(learning_rate=ExponentialDecay())
    assert isinstance(opt._learning_rate, S.ExponentialDecay)


def test_last_state_survives_donation():
    opt = O.Adam(0.1)
    params = {"w": jnp.ones(3)}
    state = opt.init(params)
    step = jax.jit(lambda s, p: opt.update({"w": jnp.ones(3)}, s, p)[1], donate_argnums=0)
    state = step(state, params)
    opt._last_state = state  # what the training loop does at a chunk boundary
    state = step(state, params)  # the previous state's buffers are donated here
    assert opt.iterations == 1
    opt._last_state = state
    assert opt.iterations == 2

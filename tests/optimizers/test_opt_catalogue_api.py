"""API of the newer optimizers and base options: constructor errors in tf.keras's exact
wording, get / serialize / deserialize across the libraries, the params a rule needs, and
iterations / EMA finalization on the functional path."""
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import optimizers as O

BAD = [
    ("Lion", {"beta_1": 0.0}),
    ("Lion", {"beta_1": 1.5}),
    ("Ftrl", {"initial_accumulator_value": -0.1}),
    ("Ftrl", {"learning_rate_power": 0.5}),
    ("Ftrl", {"l1_regularization_strength": -1.0}),
    ("Ftrl", {"l2_regularization_strength": -1.0}),
    ("Ftrl", {"l2_shrinkage_regularization_strength": -1.0}),
    ("Nadam", {"use_ema": True, "ema_momentum": 1.5}),
    ("Adamax", {"use_ema": True, "ema_overwrite_frequency": -1}),
    ("Lamb", {"use_ema": True, "ema_overwrite_frequency": 2.5}),
    ("Adadelta", {"gradient_accumulation_steps": 1}),
    ("Adafactor", {"clipnorm": 1.0, "clipvalue": 1.0}),
    ("Nadam", {"momentum": 0.9}),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{n}-{k}" for n, k in BAD])
def test_constructor_errors_match_tf_keras(name, kwargs, tf):
    with pytest.raises(ValueError) as theirs:
        getattr(tf.keras.optimizers, name)(**kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(O, name)(**kwargs)
    assert str(ours.value) == str(theirs.value)


NAMES = ["Nadam", "Adamax", "Adadelta", "Ftrl", "Lion", "Lamb", "Adafactor",
         "ScheduleFreeAdamW"]


@pytest.mark.parametrize("name", NAMES)
def test_tf_keras_config_deserializes_to_ours(name, tf):
    theirs = getattr(tf.keras.optimizers, name)(learning_rate=0.0123, use_ema=True,
                                                gradient_accumulation_steps=2)
    ours = O.deserialize(tf.keras.optimizers.serialize(theirs))
    assert type(ours) is getattr(O, name)
    assert ours.get_config() == theirs.get_config()
    assert type(O.get(theirs)) is getattr(O, name)
    assert type(O.get(name.lower())) is getattr(O, name)
    assert O.serialize(ours)["class_name"] == name


@pytest.mark.parametrize("name", ["Ftrl", "Lamb", "Adafactor", "ScheduleFreeAdamW"])
def test_rules_that_read_the_variable_need_params(name):
    opt = getattr(O, name)()
    params = {"w": jnp.ones((2, 3))}
    state = opt.init(params)
    with pytest.raises(ValueError, match="needs `params`"):
        opt.update(params, state)


def test_ema_needs_params_and_finalize_params_gives_averages():
    opt = O.Lion(0.1, use_ema=True, ema_momentum=0.5)
    params = {"w": jnp.ones((2,))}
    state = opt.init(params)
    with pytest.raises(ValueError, match="use_ema=True"):
        opt.update(params, state)
    p = params
    for _ in range(3):
        p, state = opt.step({"w": jnp.ones((2,))}, p, state)
    # w: 1 -> 0.9 -> 0.8 -> 0.7; average: 0.9 (copy), 0.85, 0.775
    np.testing.assert_allclose(np.asarray(p["w"]), 0.7, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(opt.finalize_params(p, state)["w"]), 0.775, rtol=1e-6)
    assert O.Lion().finalize_params(p, state) is p


def test_iterations_count_updates_with_accumulation():
    opt = O.Adamax(gradient_accumulation_steps=3)
    params = {"w": jnp.ones((2,))}
    state = opt.init(params)
    for _ in range(7):
        params, state = opt.step({"w": jnp.ones((2,))}, params, state)
    opt._last_state = state
    assert int(state.iterations) == 7 and int(opt.iterations) == 2
    assert set(state.slots) == {"gradient_accumulator", "momentum", "norm"}
    np.testing.assert_allclose(np.asarray(state.slots["gradient_accumulator"]["w"]), 1.0)


def test_scale_loss_and_update_cancel_as_keras(tf):
    theirs = tf.keras.optimizers.Nadam(loss_scale_factor=128.0)
    ours = O.Nadam(loss_scale_factor=128.0)
    assert float(ours.scale_loss(jnp.float32(0.5))) == float(theirs.scale_loss(0.5)) == 64.0
    assert O.Nadam().scale_loss(0.5) == 0.5

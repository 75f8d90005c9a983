"""Schedules' values at given steps, schedule use inside optimizers, and clipping."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jkeras import optimizers as O
from jkeras.optimizers import clipping
from jkeras.optimizers import schedules as S


def values(schedule, steps):
    return [float(schedule(jnp.asarray(s, jnp.int32))) for s in steps]


@pytest.mark.parametrize("schedule, steps, expected", [
    (S.ExponentialDecay(0.1, 10, 0.5), [0, 5, 10, 20],
     [0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.025]),
    (S.ExponentialDecay(0.1, 10, 0.5, staircase=True), [0, 9, 10, 19, 20, 26],
     [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]),
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), [0, 10, 11, 20, 21, 1000],
     [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]),
    (S.PolynomialDecay(0.1, 100, end_learning_rate=0.0), [0, 50, 100, 150],
     [0.1, 0.05, 0.0, 0.0]),
    (S.PolynomialDecay(0.1, 100, end_learning_rate=0.0, cycle=True), [0, 50, 100, 150],
     [0.1, 0.05, 0.0, 0.025]),
    (S.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0), [50, 100],
     [0.09 * 0.25 + 0.01, 0.01]),
    (S.InverseTimeDecay(0.1, 10, 1.0), [0, 10, 15], [0.1, 0.05, 0.04]),
    (S.InverseTimeDecay(0.1, 10, 1.0, staircase=True), [9, 10, 15, 20],
     [0.1, 0.05, 0.05, 0.1 / 3]),
    (S.CosineDecay(0.1, 100), [0, 50, 100, 200], [0.1, 0.05, 0.0, 0.0]),
    (S.CosineDecay(0.1, 100, alpha=0.1), [50, 100], [0.1 * (0.9 * 0.5 + 0.1), 0.01]),
    (S.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10), [0, 5, 10, 60, 110, 500],
     [0.0, 0.05, 0.1, 0.05, 0.0, 0.0]),
])
def test_schedule_values(schedule, steps, expected):
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-6, atol=1e-8)
    jitted = jax.jit(schedule)
    np.testing.assert_allclose([float(jitted(jnp.int32(s))) for s in steps], expected,
                               rtol=1e-6, atol=1e-8)


def test_staircase_boundaries_are_exact_under_jit():
    # XLA would otherwise divide by multiplying with the reciprocal; at exact multiples
    # that can floor to the previous stair.
    sched = S.ExponentialDecay(1.0, 41, 0.5, staircase=True)
    fn = jax.jit(sched)
    for k in range(1, 120):  # 0.5**k stays a normal float32 (XLA flushes denormals)
        assert float(fn(jnp.int32(41 * k))) == 0.5 ** k
        assert float(fn(jnp.int32(41 * k - 1))) == 0.5 ** (k - 1)


def test_schedule_errors_and_config_roundtrip():
    with pytest.raises(ValueError, match="`decay_steps` must be > 0"):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="length of boundaries should be 1 less"):
        S.PiecewiseConstantDecay([1, 2], [1.0, 2.0])
    for sched in [S.ExponentialDecay(0.1, 3, 0.9, staircase=True),
                  S.PiecewiseConstantDecay([5], [0.1, 0.01]),
                  S.PolynomialDecay(0.1, 50, cycle=True),
                  S.InverseTimeDecay(0.1, 5, 0.5),
                  S.CosineDecay(0.1, 50, alpha=0.1, warmup_target=0.2, warmup_steps=5)]:
        again = S.deserialize(S.serialize(sched))
        assert type(again) is type(sched) and again.get_config() == sched.get_config()
        assert values(again, range(0, 80, 7)) == values(sched, range(0, 80, 7))
    with pytest.raises(ValueError, match="Unknown learning rate schedule"):
        S.deserialize({"class_name": "Nope", "config": {}})


def test_optimizer_evaluates_schedule_before_incrementing_iterations():
    opt = O.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5))
    state = opt.init(jnp.zeros(1))
    assert state.learning_rate is None  # schedules live in the step, not the state
    p = jnp.zeros(1)
    for _ in range(3):
        u, state = opt.update(jnp.ones(1), state, p)
        p = p + u
    np.testing.assert_allclose(p, [-(0.1 + 0.05 + 0.025)], rtol=1e-6)
    np.testing.assert_allclose(float(opt.current_learning_rate(state)), 0.0125, rtol=1e-6)


def test_callables_of_the_step_and_without_arguments():
    opt = O.SGD(learning_rate=lambda step: 0.1 / (step + 1))
    state, p = opt.init(jnp.zeros(1)), jnp.zeros(1)
    for _ in range(2):
        u, state = opt.update(jnp.ones(1), state, p)
        p = p + u
    np.testing.assert_allclose(p, [-0.15], rtol=1e-6)
    opt = O.SGD(learning_rate=lambda: 0.2)  # Keras's zero-argument form
    u, _ = opt.update(jnp.ones(1), opt.init(jnp.zeros(1)))
    np.testing.assert_allclose(u, [-0.2], rtol=1e-6)


def test_clipnorm_is_per_variable_and_nan_free():
    opt = O.SGD(learning_rate=1.0, clipnorm=1.0)
    grads = {"a": jnp.array([3.0, 4.0]), "b": jnp.array([0.3, 0.4]), "z": jnp.zeros(2)}
    u, _ = opt.update(grads, opt.init(grads))
    np.testing.assert_allclose(u["a"], [-0.6, -0.8], rtol=1e-6)  # norm 5 -> 1
    np.testing.assert_allclose(u["b"], [-0.3, -0.4], rtol=1e-6)  # under the limit
    np.testing.assert_array_equal(u["z"], [0.0, 0.0])
    g = jax.grad(lambda x: jnp.sum(clipping.clip_by_norm(x, 1.0)))(jnp.zeros(3))
    assert np.all(np.isfinite(g))


def test_global_clipnorm_scales_all_variables_together():
    opt = O.SGD(learning_rate=1.0, global_clipnorm=2.5)
    grads = {"a": jnp.array([3.0, 0.0]), "b": jnp.array([0.0, 4.0])}  # global norm 5
    u, _ = opt.update(grads, opt.init(grads))
    np.testing.assert_allclose(u["a"], [-1.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(u["b"], [0.0, -2.0], rtol=1e-6)
    small = {"a": jnp.array([0.1, 0.0])}
    u, _ = opt.update(small, opt.init(small))
    np.testing.assert_allclose(u["a"], [-0.1, 0.0], rtol=1e-6)
    bad = clipping.clip_by_global_norm([jnp.array([jnp.inf, 1.0])], 1.0)
    assert np.all(np.isnan(bad[0]))  # Keras: a non-finite norm poisons the step


def test_clipvalue_and_zero_means_off():
    opt = O.SGD(learning_rate=1.0, clipvalue=0.5)
    u, _ = opt.update(jnp.array([-2.0, 0.2, 3.0]), opt.init(jnp.zeros(3)))
    np.testing.assert_allclose(u, [0.5, -0.2, -0.5], rtol=1e-6)
    opt = O.SGD(learning_rate=1.0, clipnorm=0.0)  # Keras: falsy -> no clipping
    u, _ = opt.update(jnp.array([30.0, 40.0]), opt.init(jnp.zeros(2)))
    np.testing.assert_allclose(u, [-30.0, -40.0])


def test_clipping_happens_before_the_update_rule():
    g = jnp.array([3.0, 4.0])
    clipped, _ = O.Adam(0.1, clipnorm=1.0).update(g, O.Adam(0.1).init(jnp.zeros(2)))
    plain, _ = O.Adam(0.1).update(g / 5.0, O.Adam(0.1).init(jnp.zeros(2)))
    np.testing.assert_allclose(clipped, plain, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    dict(clipnorm=1.0, clipvalue=1.0), dict(clipnorm=1.0, global_clipnorm=1.0),
    dict(clipvalue=1.0, global_clipnorm=1.0),
])
def test_only_one_clip_option(kwargs):
    full = {"clipnorm": None, "clipvalue": None, "global_clipnorm": None, **kwargs}
    msg = ("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
           f"Received: clipnorm={full['clipnorm']}, clipvalue={full['clipvalue']}, "
           f"global_clipnorm={full['global_clipnorm']}")
    with pytest.raises(ValueError) as err:
        O.Adam(**kwargs)
    assert str(err.value) == msg


def test_loss_scale_factor_unscales_gradients():
    opt = O.SGD(1.0, loss_scale_factor=4.0)
    u, _ = opt.update(jnp.array([4.0]), opt.init(jnp.zeros(1)))
    np.testing.assert_allclose(u, [-1.0])
    assert isinstance(optax.GradientTransformation(opt.init, opt.update),
                      optax.GradientTransformation)

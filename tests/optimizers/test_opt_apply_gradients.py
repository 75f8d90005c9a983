"""The imperative Keras facade: optimizer.apply_gradients(zip(grads, variables)).

`Var` is a stand-in for the core Variable: only `.value`, `.assign` (and optionally
`.name` / `.constraint`) are used."""

import warnings

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jkeras import optimizers as O


class Var:
    def __init__(self, value, name="var", constraint=None):
        self.value = jnp.asarray(value, jnp.float32)
        self.name = name
        self.constraint = constraint

    def assign(self, value):
        self.value = jnp.asarray(value)


def test_apply_gradients_updates_in_place_and_keeps_slots():
    w, b = Var([1.0, 2.0], "kernel"), Var([0.5], "bias")
    opt = O.SGD(learning_rate=0.1, momentum=0.9)
    assert opt.iterations == 0
    result = opt.apply_gradients(zip([jnp.array([1.0, 1.0]), jnp.array([2.0])], [w, b]))
    assert result is None
    np.testing.assert_allclose(w.value, [0.9, 1.9], rtol=1e-6)
    np.testing.assert_allclose(b.value, [0.3], rtol=1e-6)
    opt.apply_gradients([(jnp.array([1.0, 1.0]), w), (jnp.array([2.0]), b)])
    # momentum persisted between calls: m2 = 0.9 * -0.1 - 0.1 = -0.19
    np.testing.assert_allclose(w.value, [0.71, 1.71], rtol=1e-6)
    assert opt.iterations == 2 and opt.built


def test_matches_the_functional_path():
    rng = np.random.default_rng(0)
    init = [rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=4).astype(np.float32)]
    grads = [[rng.normal(size=x.shape).astype(np.float32) for x in init] for _ in range(4)]
    opt_a = O.Adam(0.05, amsgrad=True, weight_decay=0.1, clipnorm=1.0)
    opt_b = O.Adam(0.05, amsgrad=True, weight_decay=0.1, clipnorm=1.0)
    vars_ = [Var(x) for x in init]
    params, state = [jnp.asarray(x) for x in init], opt_b.init([jnp.asarray(x) for x in init])
    for g in grads:
        opt_a.apply_gradients(zip([jnp.asarray(x) for x in g], vars_))
        updates, state = opt_b.update([jnp.asarray(x) for x in g], state, params)
        params = optax.apply_updates(params, updates)
    for v, p in zip(vars_, params):
        np.testing.assert_allclose(v.value, p, rtol=1e-6, atol=1e-7)


def test_subset_and_none_gradients_leave_other_slots_alone():
    a, b = Var([1.0], "a"), Var([1.0], "b")
    opt = O.SGD(learning_rate=0.1, momentum=0.5)
    opt.apply_gradients([(jnp.array([1.0]), a), (jnp.array([1.0]), b)])  # m = -0.1 each
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients([(jnp.array([1.0]), a), (None, b)])
    np.testing.assert_allclose(a.value, [1.0 - 0.1 - 0.15], rtol=1e-6)
    np.testing.assert_allclose(b.value, [0.9], rtol=1e-6)
    opt.apply_gradients([(jnp.array([1.0]), b)])  # b's momentum is still -0.1
    np.testing.assert_allclose(b.value, [0.9 - 0.15], rtol=1e-6)
    assert opt.iterations == 3


def test_errors_match_keras():
    a = Var([1.0])
    opt = O.Adam()
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt.apply_gradients([(None, a)])
    opt.apply_gradients([(jnp.ones(1), a)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(jnp.ones(1), Var([2.0]))])
    with pytest.raises(ValueError, match="must already be built"):
        O.SGD().apply([jnp.ones(1)])


def test_apply_with_and_without_variables_and_build():
    a, b = Var([1.0]), Var([2.0])
    opt = O.SGD(1.0)
    opt.build([a, b])
    opt.apply([jnp.ones(1), jnp.ones(1)])  # uses the built variables
    np.testing.assert_allclose([a.value[0], b.value[0]], [0.0, 1.0])
    opt.apply([jnp.ones(1)], [b])
    np.testing.assert_allclose(b.value, [0.0])


def test_constraint_applied_after_the_update():
    w = Var([1.0, -1.0], constraint=lambda x: jnp.clip(x, 0.0, None))
    O.SGD(0.5).apply_gradients([(jnp.array([1.0, 1.0]), w)])
    np.testing.assert_allclose(w.value, [0.5, 0.0])


def test_learning_rate_change_and_schedule_on_the_imperative_path():
    w = Var([0.0])
    opt = O.SGD(0.1)
    opt.apply_gradients([(jnp.ones(1), w)])
    opt.learning_rate = 1.0  # picked up by the next call, no explicit sync needed
    opt.apply_gradients([(jnp.ones(1), w)])
    np.testing.assert_allclose(w.value, [-1.1], rtol=1e-6)
    v = Var([0.0])
    opt = O.SGD(O.schedules.PiecewiseConstantDecay([1], [1.0, 0.5]))
    for _ in range(3):
        opt.apply_gradients([(jnp.ones(1), v)])
    np.testing.assert_allclose(v.value, [-(1.0 + 1.0 + 0.5)])
    np.testing.assert_allclose(opt.learning_rate, 0.5)


def test_exclude_from_weight_decay():
    kernel, bias = Var([1.0], "kernel"), Var([1.0], "bias")
    opt = O.AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(jnp.zeros(1), kernel), (jnp.zeros(1), bias)])
    np.testing.assert_allclose(kernel.value, [0.95], rtol=1e-6)  # decayed: 1 - 1*0.5*0.1
    np.testing.assert_allclose(bias.value, [1.0])
    other = Var([1.0], "kernel")
    opt = O.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[other])
    opt.apply_gradients([(jnp.zeros(1), other)])
    np.testing.assert_allclose(other.value, [1.0])
    # Functional path: names are the pytree's leaf keys.
    params = {"dense": {"kernel": jnp.ones(1), "bias": jnp.ones(1)}}
    opt = O.AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    zeros = {"dense": {"kernel": jnp.zeros(1), "bias": jnp.zeros(1)}}
    u, _ = opt.update(zeros, opt.init(params), params)
    np.testing.assert_allclose(u["dense"]["kernel"], [-0.05], rtol=1e-5)
    np.testing.assert_allclose(u["dense"]["bias"], [0.0])


def test_wrapped_optax_transform_on_the_imperative_path():
    a, b = Var([1.0]), Var([2.0])
    opt = O.get(optax.sgd(0.5, momentum=0.9))
    opt.apply_gradients([(jnp.ones(1), a), (jnp.ones(1), b)])
    opt.apply_gradients([(jnp.ones(1), a), (jnp.ones(1), b)])
    np.testing.assert_allclose([a.value[0], b.value[0]], [1.0 - 0.5 - 0.95, 2.0 - 1.45])
    assert opt.iterations == 2
    with pytest.raises(ValueError, match="gradients for all of its variables"):
        opt.apply_gradients([(jnp.ones(1), b)])

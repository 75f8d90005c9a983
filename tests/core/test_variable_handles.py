"""JAX takes a Variable as its value (Keras 3 on JAX passes `model.trainable_variables` into jitted
steps): jit, grad, vmap and tree_util see arrays and give arrays back."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def model():
    return jkeras.Sequential([jkeras.Input((3,)), L.Dense(2)])


def test_jit_and_grad_take_the_trainable_variables_as_their_values():
    m = model()
    x = np.ones((4, 3), np.float32)

    @jax.jit
    def loss_and_grads(trainable):
        return jax.value_and_grad(lambda t: m.stateless_call(t, [], x)[0].sum())(trainable)

    loss, grads = loss_and_grads(m.trainable_variables)
    values = [np.asarray(v) for v in m.get_weights()]
    np.testing.assert_allclose(loss, (x @ values[0] + values[1]).sum(), rtol=1e-6)
    np.testing.assert_allclose(grads[0], np.full((3, 2), 4.0))
    np.testing.assert_allclose(grads[1], np.full((2,), 4.0))
    assert all(isinstance(g, jax.Array) for g in grads)


def test_tree_util_and_vmap_see_arrays():
    m = model()
    leaves = jax.tree_util.tree_leaves(m.weights)
    assert [l.shape for l in leaves] == [(3, 2), (2,)]
    assert all(isinstance(l, jax.Array) for l in leaves)
    doubled = jax.tree_util.tree_map(lambda a: a * 2, m.trainable_variables)
    np.testing.assert_allclose(doubled[0], 2 * np.asarray(m.trainable_variables[0]))
    sums = jax.vmap(lambda k: k.sum(0))(m.trainable_variables[0])
    np.testing.assert_allclose(sums, np.asarray(m.trainable_variables[0]).sum(1), rtol=1e-6)


def test_a_variable_without_a_value_says_so_when_jax_takes_it():
    class Holder(L.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", name="w")

    layer = Holder(name="holder")
    layer.build((None, 3))
    variable = layer._weight_attrs["w"]
    variable._value = None  # as before the layer's values are created
    with pytest.raises(ValueError, match="'holder/w' has no value yet"):
        jax.jit(lambda v: v * 2)(variable)


def test_the_value_pytree_ways_still_work():
    m = model()
    x = np.ones((4, 3), np.float32)
    variables = m.get_variables()
    grads = jax.grad(lambda p: m.apply({"params": p, "state": {}}, x)[0].sum())(
        variables["params"])
    assert grads["dense"]["kernel"].shape == (3, 2)


def test_metric_variables_are_handles_jax_takes_as_values(tf):
    ours, theirs = jkeras.metrics.Mean(), tf.keras.metrics.Mean()
    assert sorted(v.name for v in ours.variables) == sorted(v.name for v in theirs.variables)
    step = jax.jit(lambda vs, x: ours.stateless_update_state(vs, x))
    new = step(ours.variables, jnp.asarray([1.0, 2.0, 6.0]))
    for variable, value in zip(ours.variables, new):
        variable.assign(value)
    theirs.update_state([1.0, 2.0, 6.0])
    assert float(ours.result()) == pytest.approx(float(theirs.result()))
    total = {v.name: float(v.numpy()) for v in ours.variables}
    assert total == {"total": 9.0, "count": 3.0}
    with pytest.raises(ValueError, match="has shape"):
        ours.variables[0].assign(np.ones(3))


def test_a_jitted_adam_step_from_the_variable_lists_equals_tf_keras(tf):
    # The JAX custom-loop guide's step: state from model.trainable_variables and
    # optimizer.variables, stateless_call + value_and_grad + stateless_apply, written back.
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=(8, 2)).astype(np.float32)
    ours = model()
    theirs = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    theirs.set_weights(ours.get_weights())
    loss_fn = jkeras.losses.MeanSquaredError()
    optimizer = jkeras.optimizers.Adam(learning_rate=0.1)
    optimizer.build(ours.trainable_variables)

    def loss_of(trainable, non_trainable, x, y):
        y_pred, non_trainable = ours.stateless_call(trainable, non_trainable, x)
        return loss_fn(y, y_pred), non_trainable

    @jax.jit
    def train_step(state, data):
        trainable, non_trainable, opt_vars = state
        (loss, non_trainable), grads = jax.value_and_grad(loss_of, has_aux=True)(
            trainable, non_trainable, *data)
        trainable, opt_vars = optimizer.stateless_apply(opt_vars, grads, trainable)
        return loss, (trainable, non_trainable, opt_vars)

    state = ours.trainable_variables, ours.non_trainable_variables, optimizer.variables
    tf_opt = tf.keras.optimizers.Adam(learning_rate=0.1)
    for _ in range(3):
        loss, state = train_step(state, (x, y))
        with tf.GradientTape() as tape:
            tf_loss = tf.keras.losses.MeanSquaredError()(y, theirs(x))
        tf_opt.apply_gradients(zip(tape.gradient(tf_loss, theirs.trainable_variables),
                                   theirs.trainable_variables))
        np.testing.assert_allclose(float(loss), float(tf_loss), rtol=1e-5)
    for variable, value in zip(ours.trainable_variables, state[0]):
        variable.assign(value)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

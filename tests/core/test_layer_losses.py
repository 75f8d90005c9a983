"""add_loss / losses / ActivityRegularization: eager as Keras 3, and the pure path
(`stateless_call(..., return_losses=True)`, fit's steps) with no side effects."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers

X = np.random.default_rng(0).standard_normal((4, 3)).astype("float32")


def _aux_model(mod):
    class Inner(mod.layers.Layer):
        def call(self, x):
            self.add_loss(mod.ops.sum(x) * 0.0 + 0.5)
            return x

    class M(mod.Model):
        def __init__(self):
            super().__init__()
            self.inner = Inner()
            self.dense = mod.layers.Dense(2, kernel_regularizer=mod.regularizers.L2(0.1),
                                          activity_regularizer=mod.regularizers.L1(0.01))

        def call(self, x):
            h = self.dense(self.inner(x))
            self.add_loss(0.1 * mod.ops.mean(mod.ops.square(h)))
            return h
    return M()


def test_eager_losses_match_tf_keras_and_are_replaced_each_call(tf):
    tm, jm = _aux_model(tf.keras), _aux_model(jkeras)
    tm(X)
    jm(X)
    jm.set_weights(tm.get_weights())
    for x in (X, 2 * X):
        tm(x)
        jm(x)
        np.testing.assert_allclose([float(v) for v in jm.losses],
                                   [float(v) for v in tm.losses], rtol=1e-6)
        np.testing.assert_allclose([float(v) for v in jm.dense.losses],
                                   [float(v) for v in tm.dense.losses], rtol=1e-6)
    assert len(jm.losses) == 4  # model's add_loss, inner's, dense's activity, dense's kernel


def test_stateless_call_returns_the_losses_without_side_effects():
    model = _aux_model(jkeras)
    model(X)
    eager = [float(v) for v in model.losses]
    trainable = [v.value for v in model.trainable_variables]
    out, _, losses = model.stateless_call(trainable, [], 3 * X, return_losses=True)
    assert [float(v) for v in model.losses] == eager  # unchanged by the pure call
    model(3 * X)
    np.testing.assert_allclose([float(v) for v in losses],
                               [float(v) for v in model.losses], rtol=1e-6)
    assert model.stateless_call(trainable, [], X)[0].shape == out.shape


def test_jax_grad_sees_add_loss_and_penalties():
    model = _aux_model(jkeras)
    model(X)
    kernel, bias = [v.value for v in model.trainable_variables]

    def total(k, b):
        return sum(model.stateless_call([k, b], [], X, return_losses=True)[2])

    def by_hand(k, b):
        h = X @ k + b
        return (0.1 * jnp.mean(h ** 2) + 0.5 + 0.01 * jnp.sum(h * jnp.sign(h)) / 4
                + 0.1 * jnp.sum(k ** 2))
    np.testing.assert_allclose(total(kernel, bias), by_hand(kernel, bias), rtol=1e-6)
    for got, want in zip(jax.grad(total, (0, 1))(kernel, bias),
                         jax.grad(by_hand, (0, 1))(kernel, bias)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    jitted = jax.jit(total)(kernel, bias)
    np.testing.assert_allclose(jitted, total(kernel, bias), rtol=1e-6)


class _Adds(layers.Layer):
    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def call(self, x):
        self.add_loss(self.value)
        return x


@pytest.mark.parametrize("value,match", [
    (jnp.ones(3), "must be a scalar"),
    (jnp.asarray(float("nan")), "is not finite"),
    (jnp.asarray(float("inf")), "is not finite"),
    (1.0, "on a tensor input"),
])
def test_bad_add_loss_values_are_value_errors_naming_the_layer(value, match):
    with pytest.raises(ValueError, match=f"Layer 'adds'.*{match}"):
        _Adds(value, name="adds")(X)


def test_activity_regularization_layer_matches_tf_keras(tf):
    for mod in (jkeras, tf.keras):
        layer = mod.layers.ActivityRegularization(l1=0.01, l2=0.02)
        np.testing.assert_array_equal(np.asarray(layer(X)), X)
        assert len(layer.losses) == 1
        if mod is jkeras:
            ours = float(layer.losses[0])
        else:
            np.testing.assert_allclose(ours, float(layer.losses[0]), rtol=1e-6)


def test_custom_train_step_seam_sees_the_losses_and_constraints():
    def make():
        return jkeras.Sequential([jkeras.Input((3,)), layers.Dense(
            4, kernel_regularizer="l2", activity_regularizer="l1", kernel_constraint="non_neg"),
            layers.Dense(1)])

    class Custom(jkeras.Sequential):
        def train_step(self, state, data):
            return super().train_step(state, data)

    y = X[:, :1]
    builtin = make()
    custom = Custom(make().layers)
    custom(X)
    custom.set_weights(builtin.get_weights())
    for m in (builtin, custom):
        m.compile(optimizer=jkeras.optimizers.SGD(0.1), loss="mse")
    h1 = builtin.fit(X, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history["loss"]
    h2 = custom.fit(X, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h2, h1, rtol=1e-6)
    for a, b in zip(custom.get_weights(), builtin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert np.all(custom.layers[0].get_weights()[0] >= 0.0)

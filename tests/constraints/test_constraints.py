"""jkeras.constraints against tf.keras: projections, names, configs; applied after updates."""
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import constraints as C, layers

W = np.random.default_rng(0).standard_normal((3, 3, 2, 4)).astype("float32")

CASES = {  # name -> factory(keras module): built from arguments, or from a name
    "MaxNorm": lambda m: m.constraints.MaxNorm(1.5),
    "MaxNorm_axes": lambda m: m.constraints.MaxNorm(2.0, axis=[0, 1, 2]),
    "NonNeg": lambda m: m.constraints.NonNeg(),
    "UnitNorm": lambda m: m.constraints.UnitNorm(axis=-1),
    "MinMaxNorm": lambda m: m.constraints.MinMaxNorm(0.5, 1.5, rate=0.7, axis=1),
}
CASES.update({name: (lambda m, n=name: m.constraints.get(n))
              for name in ("max_norm", "non_neg", "unit_norm", "min_max_norm")})


@pytest.mark.parametrize("name", sorted(CASES))
def test_projection_and_config_match_tf_keras(tf, name):
    ours, theirs = CASES[name](jkeras), CASES[name](tf.keras)
    np.testing.assert_allclose(ours(W), theirs(tf.constant(W)).numpy(), rtol=1e-6, atol=1e-7)
    assert C.serialize(ours) == tf.keras.constraints.serialize(theirs)
    again = C.deserialize(tf.keras.constraints.serialize(theirs))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_aliases_get_and_base():
    assert (C.max_norm, C.min_max_norm, C.non_neg, C.unit_norm) == (
        C.MaxNorm, C.MinMaxNorm, C.NonNeg, C.UnitNorm)
    assert jkeras.constraints is C
    assert C.get(None) is None
    assert isinstance(C.get(C.NonNeg), C.NonNeg)
    assert isinstance(C.get({"class_name": "MaxNorm", "config": {"max_value": 3}}), C.MaxNorm)
    np.testing.assert_array_equal(C.Constraint()(W), W)
    assert C.Constraint().get_config() == {}


def test_unknown_name_is_a_value_error_naming_the_layer():
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: positive"):
        C.get("positive")
    with pytest.raises(ValueError, match=r"`bias_constraint` of layer 'dd' \(Dense\)"):
        layers.Dense(2, bias_constraint="positive", name="dd")


def test_custom_constraint_and_add_weight_constraint_apply_after_each_update():
    class Clip(C.Constraint):
        def __call__(self, w):
            return jnp.clip(w, -0.1, 0.1)

    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     constraint=Clip(), regularizer="l2", name="w")

        def call(self, x):
            return x * self.w

    model = jkeras.Sequential([jkeras.Input((3,)), Scale(), layers.Dense(
        1, kernel_constraint=lambda k: jnp.maximum(k, 0.0))])
    assert model.layers[0].weights[0].constraint is not None
    model.compile(optimizer=jkeras.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(1).standard_normal((16, 3)).astype("float32")
    model.fit(x, -x[:, :1], batch_size=4, epochs=2, verbose=0)
    w, kernel = model.layers[0].get_weights()[0], model.layers[1].get_weights()[0]
    assert np.all(np.abs(w) <= 0.1 + 1e-7) and np.all(kernel >= 0.0)
    # the regularizer of add_weight joins the losses
    np.testing.assert_allclose(float(model.losses[0]), 0.01 * np.sum(w ** 2), rtol=1e-6)


def test_constraints_in_eager_apply_gradients_and_stateless_apply():
    layer = layers.Dense(2, kernel_constraint="non_neg", kernel_initializer="ones")
    layer(np.ones((1, 2), "float32"))
    opt = jkeras.optimizers.SGD(1.0)
    opt.apply_gradients([(jnp.full((2, 2), 3.0), layer.kernel)])
    np.testing.assert_array_equal(layer.kernel.numpy(), np.zeros((2, 2)))
    pure = jkeras.optimizers.SGD(1.0)
    pure.build(layer.trainable_variables)
    grads = [jnp.array([[2.0, -1.0], [0.5, 0.0]]), jnp.array([2.0, -1.0])]
    new, _ = pure.stateless_apply(pure.variables, grads, [jnp.zeros((2, 2)), jnp.zeros(2)])
    np.testing.assert_array_equal(new[0], [[0.0, 1.0], [0.0, 0.0]])  # projected
    np.testing.assert_array_equal(new[1], [-2.0, 1.0])  # no bias constraint

"""Dense, Activation, Flatten, Reshape, Lambda, Identity: values, shapes, jit, grad, errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "softplus",
               "softsign", "swish", "silu", "leaky_relu", "exponential", "hard_sigmoid"]


def known_dense(**kwargs):
    layer = L.Dense(2, **kwargs)
    layer.build((None, 3))
    weights = [np.array([[1.0, -1.0], [0.5, 2.0], [-2.0, 0.25]], np.float32)]
    if layer.use_bias:
        weights.append(np.array([0.1, -0.2], np.float32))
    layer.set_weights(weights)
    return layer


def test_dense_exact_values_and_kernel_layout():
    layer = known_dense()
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], np.float32)
    expected = x @ layer.get_weights()[0] + layer.get_weights()[1]
    np.testing.assert_allclose(layer(x), expected, rtol=1e-6)
    assert layer.kernel.shape == (3, 2) and layer.kernel.dtype == jnp.float32


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_dense_every_activation_by_string(name):
    layer = known_dense(activation=name)
    x = np.array([[0.3, -0.2, 0.1]], np.float32)
    pre = x @ layer.get_weights()[0] + layer.get_weights()[1]
    expected = jkeras.activations.get(name)(jnp.asarray(pre))
    np.testing.assert_allclose(layer(x), expected, rtol=1e-6)


def test_dense_accepts_any_jax_function_as_activation():
    layer = known_dense(activation=jax.nn.relu)
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    pre = x @ layer.get_weights()[0] + layer.get_weights()[1]
    np.testing.assert_allclose(layer(x), np.maximum(pre, 0), rtol=1e-6)


def test_dense_without_bias_has_only_a_kernel():
    layer = known_dense(use_bias=False)
    assert [w.name for w in layer.weights] == ["kernel"]
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(layer(x), x @ layer.get_weights()[0], rtol=1e-6)


def test_dense_initializers_by_string_and_object():
    layer = L.Dense(4, kernel_initializer="ones", bias_initializer=jkeras.initializers.Constant(0.5))
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((2, 4)))
    np.testing.assert_array_equal(layer.get_weights()[1], np.full(4, 0.5))


def test_dense_jit_grad_and_higher_rank_inputs():
    layer = L.Dense(5)
    v = layer.init(0, (None, 7, 3))
    x = jax.random.normal(jax.random.PRNGKey(0), (2, 7, 3))
    y, _ = layer.apply(v, x)
    assert y.shape == (2, 7, 5)
    np.testing.assert_allclose(jax.jit(layer.apply)(v, x)[0], y, rtol=1e-6, atol=1e-6)
    g = jax.grad(lambda p: layer.apply({"params": p}, x)[0].sum())(v["params"])
    assert all(bool(jnp.isfinite(a).all()) for a in jax.tree_util.tree_leaves(g))


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="expected a positive integer. Received: units="):
        L.Dense(units)


def test_unknown_activation_and_initializer_names():
    with pytest.raises(ValueError, match="activation.*'relux'"):
        L.Dense(2, activation="relux")
    with pytest.raises(ValueError, match="initializer.*'glorot'"):
        L.Dense(2, kernel_initializer="glorot")


def test_unknown_keyword_argument():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Dense"):
        L.Dense(2, unit=3)


def test_built_dense_rejects_a_different_last_dimension():
    layer = L.Dense(2)
    layer(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match=r'layer "dense" is incompatible.*axis -1.*value 3.*\(2, 4\)'):
        layer(np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(np.ones((3,), np.float32))


def test_flatten_activation_reshape_lambda_identity():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(L.Flatten()(x), x.reshape(2, 12))
    np.testing.assert_array_equal(L.Flatten(data_format="channels_first")(x),
                                  np.moveaxis(x, 1, -1).reshape(2, 12))
    np.testing.assert_allclose(L.Activation("tanh")(x), np.tanh(x), rtol=1e-6)
    assert L.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert L.Reshape((-1, 2))(x).shape == (2, 6, 2)
    np.testing.assert_array_equal(L.Lambda(lambda t: t * 2)(x), x * 2)
    np.testing.assert_array_equal(L.Identity()(x), x)
    with pytest.raises(ValueError, match="cannot reshape"):
        L.Reshape((5,))(x)


def test_functional_shapes_of_weightless_layers():
    inp = jkeras.Input(shape=(3, 4))
    assert L.Flatten()(inp).shape == (None, 12)
    assert L.Reshape((2, 6))(inp).shape == (None, 2, 6)

"""JaxLayer: pure JAX functions as a layer; layer_test with tf.keras parity (tf.keras's
JaxLayer runs the same functions through jax2tf), state and rng, Keras's errors."""
import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test


def _register(fn):  # in both registries, so each library resolves the other's config
    keras.saving.register_keras_serializable("jax_layer_test")(fn)
    return jkeras.saving.register_keras_serializable("jax_layer_test")(fn)


@_register
def dense_init(rng, inputs):
    k1, _ = jax.random.split(rng)
    return {"w": jax.random.normal(k1, (inputs.shape[-1], 3)), "b": jnp.full((3,), 0.1)}


@_register
def dense_call(params, inputs):
    return jnp.tanh(inputs @ params["w"] + params["b"])


@_register
def counting_init(rng, inputs):
    return {"scale": jnp.ones((inputs.shape[-1],))}, {"calls": jnp.zeros(())}


@_register
def counting_call(params, state, inputs, training):
    new_state = {"calls": state["calls"] + 1.0} if training else state
    return inputs * params["scale"] + state["calls"], new_state


@_register
def noisy_call(rng, inputs):
    return inputs if rng is None else inputs + jax.random.normal(rng, inputs.shape)


def test_params_from_init_fn(tf):
    result = layer_test(L.JaxLayer, {"call_fn": dense_call, "init_fn": dense_init},
                        input_shape=(2, 4), expected_output_shape=(2, 3),
                        expected_num_trainable_weights=2)
    assert [w.name for w in result.layer.weights] == ["variable", "variable_1"]


def test_params_and_state(tf):
    result = layer_test(L.JaxLayer, {"call_fn": counting_call, "init_fn": counting_init},
                        input_shape=(2, 3), expected_output_shape=(2, 3),
                        expected_num_trainable_weights=1, expected_num_non_trainable_weights=1)
    layer = result.layer
    x = np.ones((2, 3), "float32")
    _, state = layer.apply(layer.get_variables(), x, training=True)
    assert float(jax.tree_util.tree_leaves(state)[0]) == 1.0
    layer(x, training=True)
    np.testing.assert_allclose(layer(x), x * layer.get_weights()[0] + 1.0)


def test_given_params_without_init_fn():
    params = {"w": np.eye(3, dtype="float32") * 2.0, "b": np.zeros(3, "float32")}
    layer = L.JaxLayer(dense_call, params=params)
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(layer(x), np.tanh(x * 2.0), rtol=1e-6)
    assert len(layer.trainable_weights) == 2


def test_rng_only_in_training():
    layer = L.JaxLayer(noisy_call)
    x = np.zeros((2, 3), "float32")
    np.testing.assert_array_equal(layer(x), x)
    y, _ = layer.apply(layer.get_variables(), x, training=True, rng=jax.random.PRNGKey(0))
    assert np.abs(np.asarray(y)).sum() > 0


def test_errors():
    with pytest.raises(ValueError, match="Missing required argument in `call_fn`: `inputs`"):
        L.JaxLayer(lambda params, x: x, params={})
    with pytest.raises(ValueError, match="Unsupported argument in `call_fn`: `mask`"):
        L.JaxLayer(lambda inputs, mask: inputs)
    with pytest.raises(ValueError, match="`init_fn`, `params` and `state` cannot all be `None`"):
        L.JaxLayer(dense_call)
    with pytest.raises(ValueError, match="Unsupported argument in `init_fn`: `key`"):
        L.JaxLayer(dense_call, lambda key, inputs: {})

"""Variable handles are not arrays: JAX transformations get a clear error with the way out."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def model():
    return jkeras.Sequential([L.Dense(2, input_shape=(3,))])


@pytest.mark.parametrize("transform", [jax.grad, jax.jit, jax.vmap])
def test_transforms_of_variable_handles_say_what_to_do(transform):
    m = model()
    with pytest.raises(TypeError) as err:
        transform(lambda v: 0.0)(m.trainable_variables)
    text = str(err.value)
    assert "'dense/kernel' is a handle" in text and "get_variables()" in text
    assert "stateless_call" in text and "[[" not in text  # no array dump


def test_the_suggested_ways_work():
    m = model()
    x = np.ones((4, 3), np.float32)
    variables = m.get_variables()
    grads = jax.grad(lambda p: m.apply({"params": p, "state": {}}, x)[0].sum())(
        variables["params"])
    assert grads["dense"]["kernel"].shape == (3, 2)
    values = [v.value for v in m.trainable_variables]
    grads = jax.grad(lambda vals: m.stateless_call(vals, [], x)[0].sum())(values)
    np.testing.assert_allclose(grads[0], np.full((3, 2), 4.0))
    assert [w.shape for w in m.get_weights()] == [(3, 2), (2,)]


def test_normalization_mean_and_variance_as_keras(tf):
    data = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    ours, theirs = L.Normalization(), tf.keras.layers.Normalization()
    assert ours.mean is None and theirs.mean is None
    ours.adapt(data)
    theirs.adapt(data)
    np.testing.assert_allclose(np.asarray(ours.mean), theirs.mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ours.variance), theirs.variance.numpy(), rtol=1e-5)

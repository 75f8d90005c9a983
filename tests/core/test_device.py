"""`jkeras.device(name)`: Keras 3's device placement on JAX (`jax.default_device`)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras


@pytest.mark.parametrize("name", ["cpu", "cpu:0", "CPU:0"])
def test_arrays_and_layers_run_on_the_device(name):
    cpu = jax.devices("cpu")[0]
    with jkeras.device(name):
        x = jnp.ones((2, 3))
        v = jkeras.Variable(np.ones(3, "float32"))
        y = jkeras.layers.Dense(2)(x)
    assert x.devices() == {cpu} and v.value.devices() == {cpu} and y.devices() == {cpu}


def test_a_jax_device_is_accepted():
    cpu = jax.devices("cpu")[0]
    with jkeras.device(cpu):
        assert jnp.zeros(2).devices() == {cpu}


def test_errors_in_keras_wording():
    with pytest.raises(ValueError, match="Expected a string like 'gpu:0' or a `jax.Device`"):
        jkeras.device(3)
    with pytest.raises(ValueError, match="Device not found: cpu:99"):
        jkeras.device("cpu:99")
    if not any(d.platform == "gpu" for d in jax.devices()):
        with pytest.raises(ValueError, match="Device not found: gpu:1"):
            jkeras.device("gpu:1")

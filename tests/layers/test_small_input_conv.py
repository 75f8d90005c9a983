"""Convolutions with a kernel larger than their input (rerouted on XLA CPU): values and
gradients equal lax's, the layer equals tf.keras, and XLA no longer swaps the operands."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jkeras import layers
from jkeras.layers import small_input_conv as sic


def _dn(rank):
    sp = "DHW"[-rank:]
    return ("N" + sp + "C", sp + "IO", "N" + sp + "C")


@pytest.mark.parametrize("x_shape,k_shape,padding", [
    ((2, 2, 2, 5), (3, 3, 5, 6), "SAME"),
    ((2, 1, 1, 4), (3, 3, 4, 3), "SAME"),
    ((3, 3, 2, 5), (3, 4, 5, 6), "SAME"),
    ((2, 2, 3, 5), (3, 3, 5, 6), ((2, 1), (0, 2))),
    ((3, 5, 4), (7, 4, 2), "SAME"),
    ((2, 2, 2, 2, 3), (3, 3, 3, 3, 2), "SAME"),
])
def test_values_and_gradients_equal_lax(x_shape, k_shape, padding):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=x_shape), jnp.float32)
    k = jnp.asarray(rng.normal(size=k_shape), jnp.float32)
    rank = len(x_shape) - 2
    assert sic._swapped_on_cpu(x, k, (1,) * rank, (1,) * rank, _dn(rank), 1)

    def ref(x, k):
        return lax.conv_general_dilated(x, k, (1,) * rank, padding, dimension_numbers=_dn(rank))

    def new(x, k):
        return sic.conv_general_dilated(x, k, (1,) * rank, padding, (1,) * rank, _dn(rank))

    np.testing.assert_allclose(new(x, k), ref(x, k), rtol=1e-5, atol=1e-5)

    def grads(conv):
        return jax.jit(jax.grad(lambda x, k: jnp.sum(jnp.sin(conv(x, k))), argnums=(0, 1)))(x, k)

    for got, want in zip(grads(new), grads(ref)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_other_convolutions_are_untouched():
    x = jnp.zeros((1, 4, 4, 2))
    k = jnp.zeros((3, 3, 2, 2))
    assert not sic._swapped_on_cpu(x, k, (1, 1), (1, 1), _dn(2), 1)  # input >= kernel
    small = jnp.zeros((1, 2, 2, 2))
    assert not sic._swapped_on_cpu(small, k, (2, 2), (1, 1), _dn(2), 1)  # strided
    assert not sic._swapped_on_cpu(small, k, (1, 1), (2, 2), _dn(2), 1)  # dilated
    assert not sic._swapped_on_cpu(small, k, (1, 1), (1, 1), _dn(2), 2)  # grouped
    assert not sic._swapped_on_cpu(small, k, (1, 1), (1, 1), ("NCHW", "HWIO", "NCHW"), 1)


def test_compiled_program_keeps_canonical_convolutions():
    if jax.default_backend() != "cpu":
        pytest.skip("the reroute applies on XLA's CPU backend only")
    layer = layers.Conv2D(8, 3, padding="same")
    x = jnp.ones((2, 2, 2, 8))
    variables = layer.init(jax.random.PRNGKey(0), x)

    def loss(params):
        return jnp.sum(layer.apply({"params": params, "state": {}}, x)[0] ** 2)

    text = jax.jit(jax.grad(loss)).lower(variables["params"]).compile().as_text()
    convs = [line for line in text.splitlines() if " convolution(" in line]
    assert convs and all("b01f_01io->b01f" in line for line in convs)
    assert "rhs_reversal" not in text


def test_conv2d_on_tiny_feature_map_matches_tf(tf):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 2, 2, 4)).astype("float32")
    ref = tf.keras.layers.Conv2D(5, 3, padding="same")
    want = ref(x).numpy()
    layer = layers.Conv2D(5, 3, padding="same")
    layer(x)
    layer.set_weights([w.numpy() for w in ref.weights])
    np.testing.assert_allclose(np.asarray(layer(x)), want, rtol=1e-5, atol=1e-5)

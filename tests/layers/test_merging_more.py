"""Subtract, Multiply, Average, Maximum, Minimum, Dot: values, symbolic shapes, jit/grad, errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

rng = np.random.default_rng(0)
A, B, C = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(3))


def test_elementwise_values():
    np.testing.assert_array_equal(L.Subtract()([A, B]), A - B)
    np.testing.assert_allclose(L.Multiply()([A, B, C]), A * B * C, rtol=1e-6)
    np.testing.assert_allclose(L.Average()([A, B, C]), (A + B + C) / 3, rtol=1e-6)
    np.testing.assert_array_equal(L.Maximum()([A, B, C]), np.maximum(np.maximum(A, B), C))
    np.testing.assert_array_equal(L.Minimum()([A, B, C]), np.minimum(np.minimum(A, B), C))
    # broadcasting as Keras allows it
    np.testing.assert_array_equal(L.Multiply()([A, A[:, :1]]), A * A[:, :1])


def test_dot_values():
    x, y = rng.normal(size=(4, 5, 3)).astype(np.float32), rng.normal(size=(4, 6, 3)).astype(
        np.float32)
    np.testing.assert_allclose(L.Dot(axes=(2, 2))([x, y]), np.einsum("bik,bjk->bij", x, y),
                               rtol=1e-5)
    np.testing.assert_allclose(L.Dot(axes=-1)([A, B]), (A * B).sum(-1, keepdims=True), rtol=1e-5)
    cos = L.Dot(axes=1, normalize=True)([A, B])
    expect = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(cos[:, 0], expect, rtol=1e-5)
    assert L.Dot(axes=(2, 1))([x, np.transpose(y, (0, 2, 1))]).shape == (4, 5, 6)


def test_symbolic_shapes_in_a_functional_model():
    a, b = jkeras.Input(shape=(3,)), jkeras.Input(shape=(3,))
    assert L.Subtract()([a, b]).shape == (None, 3)
    assert L.Dot(axes=1)([a, b]).shape == (None, 1)
    s, t = jkeras.Input(shape=(5, 3)), jkeras.Input(shape=(6, 3))
    assert L.Dot(axes=2)([s, t]).shape == (None, 5, 6)
    model = jkeras.Model([a, b], L.Maximum()([L.Average()([a, b]), L.Multiply()([a, b])]))
    np.testing.assert_allclose(model([A, B]), np.maximum((A + B) / 2, A * B), rtol=1e-6)


@pytest.mark.parametrize("cls", ["Subtract", "Multiply", "Average", "Maximum", "Minimum"])
def test_pure_protocol_jit_grad(cls):
    layer = getattr(L, cls)()
    v = layer.init(jax.random.PRNGKey(0), [A, B])
    assert v == {"params": {}, "state": {}}
    y, _ = layer.apply(v, [A, B])
    np.testing.assert_array_equal(jax.jit(lambda a, b: layer.apply(v, [a, b])[0])(A, B), y)
    ga, gb = jax.grad(lambda a, b: jnp.sum(layer.apply(v, [a, b])[0]), argnums=(0, 1))(A, B)
    assert np.all(np.isfinite(ga)) and np.all(np.isfinite(gb))


def test_dot_grad():
    layer = L.Dot(axes=1, normalize=True)
    g = jax.grad(lambda a: jnp.sum(layer.apply({}, [a, B])[0]))(A)
    assert np.all(np.isfinite(g))


def test_errors():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([A, B, C])
    with pytest.raises(ValueError, match="list of at least 2 inputs"):
        L.Multiply()(A)
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Maximum()([A, np.ones((4, 5), np.float32)])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        L.Dot(axes=1)([A, B, C])
    with pytest.raises(ValueError, match=r"Incompatible input shapes: axis values 3 \(at axis 1\)"):
        L.Dot(axes=1)([A, np.ones((4, 5), np.float32)])
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        L.Dot(axes="last")
    with pytest.raises(ValueError, match="two elements"):
        L.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="axis 0"):
        L.Dot(axes=0)([A, B])

"""ReLU, LeakyReLU, Softmax, ELU and Rescaling: exact values, masks, jit, grad, errors."""
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import layers as L

X = np.array([[-3.0, -1.0, -0.2, 0.0, 0.4, 1.0, 2.5, 7.0]], np.float32)


def np_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    y = np.where((x < threshold) & (negative_slope == 0), 0.0, y)
    return y if max_value is None else np.minimum(y, max_value)


@pytest.mark.parametrize("kwargs", [{}, {"max_value": 6.0}, {"max_value": 1.5},
                                    {"negative_slope": 0.1}, {"threshold": 0.5},
                                    {"max_value": 2.0, "negative_slope": 0.2, "threshold": 0.3}])
def test_relu_exact_values(kwargs):
    np.testing.assert_allclose(L.ReLU(**kwargs)(X), np_relu(X, **kwargs), rtol=1e-6, atol=1e-7)


def test_leaky_relu_default_is_keras_layer_default_0_3():
    layer = L.LeakyReLU()
    assert layer.negative_slope == 0.3
    np.testing.assert_allclose(layer(X), np.where(X > 0, X, 0.3 * X), rtol=1e-6)
    np.testing.assert_allclose(L.LeakyReLU(0.05)(X), np.where(X > 0, X, 0.05 * X), rtol=1e-6)
    with pytest.warns(UserWarning, match="deprecated"):
        assert L.LeakyReLU(alpha=0.1).negative_slope == 0.1


def test_elu_exact_values():
    np.testing.assert_allclose(L.ELU()(X), np.where(X > 0, X, np.expm1(X)), rtol=1e-6)
    np.testing.assert_allclose(L.ELU(0.5)(X), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-6)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 1, (1, 2)])
def test_softmax_axes(axis):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(L.Softmax(axis=axis)(x), np_softmax(x, axis), rtol=1e-5)


def test_softmax_mask():
    x = np.random.default_rng(1).normal(size=(2, 4)).astype(np.float32)
    mask = np.array([[1, 1, 0, 1], [0, 0, 0, 0]], bool)
    y = np.asarray(L.Softmax()(x, mask=mask))
    np.testing.assert_allclose(y[0, [0, 1, 3]], np_softmax(x[0, [0, 1, 3]], -1), rtol=1e-5)
    assert y[0, 2] == 0 and (y[1] == 0).all()
    # float masks keep positions > 0.5
    np.testing.assert_allclose(L.Softmax()(x, mask=mask.astype(np.float32)), y, rtol=1e-6)
    with pytest.raises(ValueError, match="must not have more dimensions"):
        L.Softmax()(x, mask=np.ones((1, 2, 4), bool))
    with pytest.raises(ValueError, match="Each mask dimension must be 1"):
        L.Softmax()(x, mask=np.ones((2, 3), bool))


LAYERS = [lambda: L.ReLU(max_value=3.0, negative_slope=0.1), lambda: L.LeakyReLU(),
          lambda: L.Softmax(), lambda: L.ELU(), lambda: L.Rescaling(0.5, -1.0)]


@pytest.mark.parametrize("make", LAYERS)
def test_weightless_protocol_jit_grad(make):
    layer = make()
    v = layer.init(jax.random.PRNGKey(0), (None, 8))
    assert v == {"params": {}, "state": {}}
    y, state = layer.apply(v, X)
    assert y.shape == X.shape and state == {}
    np.testing.assert_allclose(jax.jit(lambda x: layer.apply(v, x)[0])(X), y, rtol=1e-6)
    g = jax.grad(lambda x: jnp.sum(layer.apply(v, x)[0] * jnp.arange(8.0)))(X)
    assert bool(jnp.all(jnp.isfinite(g)))
    assert layer.supports_masking and layer.weights == []


def test_int_inputs_become_float():
    y = L.ReLU()(np.array([[-1, 2]], np.int32))
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(y, [[0.0, 2.0]])


@pytest.mark.parametrize("make,match", [
    (lambda: L.ReLU(max_value=-1.0), "max_value of a ReLU layer cannot be a negative"),
    (lambda: L.ReLU(negative_slope=-0.1), "negative_slope of a ReLU layer"),
    (lambda: L.ReLU(negative_slope=None), "negative_slope of a ReLU layer"),
    (lambda: L.ReLU(threshold=-1.0), "threshold of a ReLU layer"),
    (lambda: L.LeakyReLU(negative_slope=-0.3), "Leaky ReLU layer cannot be None or negative"),
    (lambda: L.LeakyReLU(negative_slope=None), "Leaky ReLU layer cannot be None or negative"),
    (lambda: L.ELU(alpha="x"), "ELU: `alpha` must be a number"),
    (lambda: L.Rescaling("x"), "`scale` must be a finite number"),
    (lambda: L.Rescaling(1.0, offset=np.inf), "`offset` must be a finite number")])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---- Rescaling --------------------------------------------------------------------------------
def test_rescaling_values_dtype_and_per_channel_scale():
    pixels = np.array([[0, 128, 255]], np.uint8)
    y = L.Rescaling(1.0 / 255)(pixels)
    assert y.dtype == jnp.float32
    np.testing.assert_allclose(y, pixels / 255.0, rtol=1e-6)
    np.testing.assert_allclose(L.Rescaling(1 / 127.5, offset=-1)(pixels), pixels / 127.5 - 1,
                               rtol=1e-6, atol=1e-6)
    img = np.ones((2, 4, 4, 3), np.float32)
    scale = np.array([1.0, 2.0, 3.0], np.float32)
    np.testing.assert_allclose(L.Rescaling(scale)(img), img * scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert L.Rescaling(2.0, dtype="float16")(pixels).dtype == jnp.float16

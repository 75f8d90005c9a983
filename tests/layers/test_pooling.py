"""Pooling: exact values (incl. Keras's "same" average that ignores padding), shapes, jit, grad,
global poolings with keepdims and masks, and errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_max_pooling2d_exact_values():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(L.MaxPooling2D()(x)[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(L.MaxPooling2D(3, strides=1)(x)[0, :, :, 0],
                                  [[10, 11], [14, 15]])


def test_average_pooling2d_valid_and_same_exclude_padding():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    np.testing.assert_allclose(L.AveragePooling2D(2, strides=1)(x)[0, :, :, 0],
                               [[2, 3], [5, 6]])
    # same, pool 2 stride 2 on 3x3: windows {0,1,3,4}, {2,5}, {6,7}, {8}: padding not counted
    np.testing.assert_allclose(L.AveragePooling2D(2, padding="same")(x)[0, :, :, 0],
                               [[2.0, 3.5], [6.5, 8.0]])


def test_same_max_pooling_pads_with_minus_infinity():
    x = -np.ones((1, 3, 1), np.float32) * np.array([1, 2, 3], np.float32)[None, :, None]
    np.testing.assert_array_equal(L.MaxPooling1D(2, padding="same")(x)[0, :, 0], [-1, -3])


def test_pooling1d_and_channels_first():
    x = rand((2, 3, 7))  # channels_first: (batch, channels, steps)
    out = L.AveragePooling1D(3, strides=2, data_format="channels_first")(x)
    expected = np.stack([x[:, :, i:i + 3].mean(-1) for i in (0, 2, 4)], axis=-1)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    xl = rand((2, 6, 5, 3))
    first = L.MaxPooling2D((2, 3), padding="same", data_format="channels_first")(
        xl.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(first, np.asarray(
        L.MaxPooling2D((2, 3), padding="same")(xl)).transpose(0, 3, 1, 2))


@pytest.mark.parametrize("make,shape", [
    (lambda: L.MaxPooling1D(2), (None, 9, 3)),
    (lambda: L.AveragePooling1D(3, strides=1, padding="same"), (None, 9, 3)),
    (lambda: L.MaxPooling2D((2, 3), strides=(1, 2)), (None, 7, 8, 2)),
    (lambda: L.AveragePooling2D(3, strides=2, padding="same", data_format="channels_first"),
     (None, 2, 7, 8)),
    (lambda: L.MaxPooling3D(2), (None, 4, 5, 6, 1)),
    (lambda: L.AveragePooling3D(2, padding="same"), (None, 4, 5, 6, 1)),
    (lambda: L.GlobalAveragePooling1D(), (None, 9, 3)),
    (lambda: L.GlobalMaxPooling1D(keepdims=True, data_format="channels_first"), (None, 3, 9)),
    (lambda: L.GlobalAveragePooling2D(keepdims=True), (None, 5, 4, 3)),
    (lambda: L.GlobalMaxPooling2D(data_format="channels_first"), (None, 3, 5, 4)),
    (lambda: L.GlobalAveragePooling3D(), (None, 2, 3, 4, 5)),
])
def test_shapes_jit_and_grad(make, shape):
    layer = make()
    v = layer.init(0, shape)
    assert v == {"params": {}, "state": {}}
    x = jnp.asarray(rand((2,) + shape[1:]))
    y, _ = layer.apply(v, x)
    assert y.shape == tuple(layer.compute_output_shape((2,) + shape[1:]))
    assert tuple(make()(jkeras.Input(shape[1:])).shape) == (None,) + y.shape[1:]
    np.testing.assert_allclose(jax.jit(layer.apply)(v, x)[0], y, rtol=1e-6)
    g = jax.grad(lambda x: jnp.sum(layer.apply(v, x)[0] ** 2))(x)
    assert bool(jnp.isfinite(g).all()) and float(jnp.abs(g).sum()) > 0


def test_max_pool_gradient_goes_to_the_max():
    x = jnp.asarray([[[1.0], [3.0], [2.0], [0.0]]])
    g = jax.grad(lambda x: L.MaxPooling1D(2).apply({}, x)[0].sum())(x)
    np.testing.assert_array_equal(g[0, :, 0], [0, 1, 1, 0])


@pytest.mark.parametrize("pool,shape,data_format", [
    ((2, 2), (2, 7, 8, 3), "channels_last"), ((2, 3), (2, 3, 9, 7), "channels_first"),
    ((3,), (2, 10, 2), "channels_last"), ((2, 1, 2), (1, 5, 4, 5, 2), "channels_last")])
def test_tiled_max_pool_matches_reduce_window_with_ties(pool, shape, data_format):
    """Non-overlapping "valid" max pooling takes a reshape path with its own gradient; it must
    equal lax.reduce_window's (the gradient goes to the first max of a window) even on ties."""
    rank = len(pool)
    layer = getattr(L, f"MaxPooling{rank}D")(pool, data_format=data_format)
    x = jnp.asarray(np.random.default_rng(0).integers(0, 3, size=shape).astype(np.float32))
    cot = jnp.asarray(rand(layer.compute_output_shape(shape), 1))
    window = (1,) + pool + (1,) if data_format == "channels_last" else (1, 1) + pool

    def reference(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, window, window, "VALID")

    np.testing.assert_array_equal(layer.apply({}, x)[0], reference(x))
    ours = jax.grad(lambda x: jnp.sum(layer.apply({}, x)[0] * cot))(x)
    np.testing.assert_array_equal(ours, jax.grad(lambda x: jnp.sum(reference(x) * cot))(x))
    np.testing.assert_array_equal(jax.jit(jax.grad(lambda x: jnp.sum(
        layer.apply({}, x)[0] * cot)))(x), ours)
    batched = jax.vmap(lambda x: layer.apply({}, x[None])[0][0])(x)
    np.testing.assert_array_equal(batched, reference(x))


def test_global_poolings_values_and_keepdims():
    x = rand((2, 4, 5, 3))
    np.testing.assert_allclose(L.GlobalAveragePooling2D()(x), x.mean((1, 2)), rtol=1e-6)
    np.testing.assert_allclose(L.GlobalMaxPooling2D(keepdims=True)(x), x.max((1, 2), keepdims=True))
    np.testing.assert_allclose(L.GlobalAveragePooling2D(data_format="channels_first")(x),
                               x.mean((2, 3)), rtol=1e-6)


def test_global_average_pooling1d_mask():
    x = rand((2, 4, 3))
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    out = L.GlobalAveragePooling1D()(x, mask=mask)
    np.testing.assert_allclose(out[0], x[0, :2].mean(0), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1].mean(0), rtol=1e-6)


def test_integer_inputs():
    x = np.arange(8, dtype=np.int32).reshape(1, 8, 1)
    np.testing.assert_array_equal(L.MaxPooling1D(4)(x)[0, :, 0], [3, 7])
    np.testing.assert_allclose(L.AveragePooling1D(4)(x)[0, :, 0], [1.5, 5.5])


@pytest.mark.parametrize("make,match", [
    (lambda: L.MaxPooling2D(padding="full"), r"MaxPooling2D: Argument `padding` must be either"),
    (lambda: L.AveragePooling1D(2, padding=3), r"padding=3"),
    (lambda: L.MaxPooling2D(data_format="NHWC"), r"data_format.*nhwc"),  # Keras lowercases
    (lambda: L.GlobalMaxPooling2D(data_format="x"), r"GlobalMaxPooling2D: .*data_format"),
    (lambda: L.MaxPooling2D((2, 2, 2)), r"`pool_size` argument must be a tuple of 2 integers"),
    (lambda: L.MaxPooling2D(0), r"pool_size.*value > 0"),
    (lambda: L.AveragePooling2D(2, strides=-1), r"strides.*value > 0"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make,shape,ndim", [
    (lambda: L.MaxPooling2D(name="mp"), (2, 8, 8), 4),
    (lambda: L.AveragePooling1D(2, name="mp"), (2, 8, 8, 1), 3),
    (lambda: L.GlobalAveragePooling2D(name="mp"), (2, 8, 3), 4),
    (lambda: L.GlobalMaxPooling1D(name="mp"), (2, 3), 3),
])
def test_wrong_rank(make, shape, ndim):
    with pytest.raises(ValueError, match=rf'layer "mp" .*expected ndim={ndim}'):
        make()(rand(shape))


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_pool_size_is_required_for_average_pooling_only_as_keras(tf, rank):
    for mod in (L, tf.keras.layers):
        with pytest.raises(TypeError, match=r"__init__\(\) missing 1 required positional "
                                            r"argument: 'pool_size'"):
            getattr(mod, f"AveragePooling{rank}D")()
        with pytest.raises(TypeError, match="missing 1 required positional argument"):
            getattr(mod, f"AvgPool{rank}D")(strides=1)
    name = f"MaxPooling{rank}D"
    ours, theirs = getattr(L, name)(), getattr(tf.keras.layers, name)()
    assert ours.pool_size == theirs.pool_size == (2,) * rank
    assert ours.get_config()["strides"] == theirs.get_config()["strides"]


def test_pool_larger_than_valid_input():
    with pytest.raises(ValueError, match=r"MaxPooling2D '.*': computed output size would be zero"):
        L.MaxPooling2D(9)(rand((2, 8, 8, 1)))
    assert L.MaxPooling2D(9, padding="same")(rand((2, 8, 8, 1))).shape == (2, 1, 1, 1)

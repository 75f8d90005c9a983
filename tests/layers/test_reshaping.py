"""Permute, RepeatVector, UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D: values, shapes, jit,
grad and errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_permute_and_repeat_vector_values():
    x = rand((2, 3, 4, 5))
    np.testing.assert_array_equal(L.Permute((3, 1, 2))(x), x.transpose(0, 3, 1, 2))
    v = rand((2, 3))
    out = L.RepeatVector(4)(v)
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out, np.repeat(v[:, None], 4, axis=1))


def test_upsampling_nearest_values():
    x = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(L.UpSampling2D((2, 3))(x)[0, :, :, 0],
                                  np.kron([[0, 1], [2, 3]], np.ones((2, 3))))
    xf = x.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(L.UpSampling2D(2, data_format="channels_first")(xf)[0, 0],
                                  np.kron([[0, 1], [2, 3]], np.ones((2, 2))))
    np.testing.assert_array_equal(L.UpSampling1D(3)(x[:, 0])[0, :, 0], [0, 0, 0, 1, 1, 1])


def test_upsampling_bilinear_half_pixel_centres():
    x = np.array([0.0, 4.0], np.float32).reshape(1, 1, 2, 1)
    # output pixel centres map to input coords -0.25, 0.25, 0.75, 1.25 (edges clamp)
    np.testing.assert_allclose(
        L.UpSampling2D((1, 2), interpolation="bilinear")(x)[0, 0, :, 0], [0, 1, 3, 4])


def test_zero_padding_and_cropping_values():
    x = rand((2, 3, 4, 2))
    out = L.ZeroPadding2D(((1, 2), (0, 3)))(x)
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    out = L.ZeroPadding2D(1, data_format="channels_first")(x)
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    np.testing.assert_array_equal(L.Cropping2D(((1, 0), (1, 2)))(x), x[:, 1:, 1:2])
    np.testing.assert_array_equal(L.Cropping2D((1, 0), data_format="channels_first")(x),
                                  x[:, :, 1:3, :])  # (1, 0): crop 1 from top and bottom
    np.testing.assert_array_equal(L.ZeroPadding1D((2, 1))(x[:, 0]),
                                  np.pad(x[:, 0], ((0, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(L.Cropping1D((1, 2))(x[:, 0]), x[:, 0, 1:2])


@pytest.mark.parametrize("make,shape", [
    (lambda: L.Permute((2, 1)), (None, 3, 4)),
    (lambda: L.RepeatVector(3), (None, 5)),
    (lambda: L.UpSampling1D(2), (None, 4, 3)),
    (lambda: L.UpSampling2D((2, 3)), (None, 4, 3, 2)),
    (lambda: L.UpSampling2D(2, interpolation="bilinear", data_format="channels_first"),
     (None, 2, 4, 3)),
    (lambda: L.ZeroPadding1D(2), (None, 4, 3)),
    (lambda: L.ZeroPadding2D((1, 2), data_format="channels_first"), (None, 2, 4, 3)),
    (lambda: L.Cropping1D((1, 1)), (None, 4, 3)),
    (lambda: L.Cropping2D(((1, 1), (0, 1))), (None, 4, 3, 2)),
])
def test_shapes_jit_and_grad(make, shape):
    layer = make()
    v = layer.init(0, shape)
    x = jnp.asarray(rand((2,) + shape[1:]))
    y, _ = layer.apply(v, x)
    assert y.shape == tuple(layer.compute_output_shape((2,) + shape[1:]))
    assert tuple(make()(jkeras.Input(shape[1:])).shape) == (None,) + y.shape[1:]
    np.testing.assert_allclose(jax.jit(layer.apply)(v, x)[0], y, rtol=1e-6)
    g = jax.grad(lambda x: jnp.sum(layer.apply(v, x)[0] ** 2))(x)
    assert bool(jnp.isfinite(g).all()) and float(jnp.abs(g).sum()) > 0


@pytest.mark.parametrize("make,error,match", [
    (lambda: L.Permute((0, 1)), ValueError, r"dims.*consecutive and start from 1"),
    (lambda: L.Permute((1, 3)), ValueError, r"Received dims=\(1, 3\)"),
    (lambda: L.RepeatVector(0), ValueError, r"n=0"),
    (lambda: L.RepeatVector(2.0), TypeError, r"integer value for `n`"),
    (lambda: L.UpSampling2D(interpolation="bicubic"), ValueError, r"interpolation='bicubic'"),
    (lambda: L.UpSampling2D((2, 0)), ValueError, r"UpSampling2D: .*size"),
    (lambda: L.UpSampling1D(0), ValueError, r"size=0"),
    (lambda: L.ZeroPadding2D((1, 2, 3)), ValueError, r"`padding` should be either"),
    (lambda: L.ZeroPadding2D(-1), ValueError, r"cannot be negative"),
    (lambda: L.Cropping2D(((1, -1), (0, 0))), ValueError, r"1st entry of cropping"),
    (lambda: L.Cropping2D(data_format="bad"), ValueError, r"data_format"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("make,shape,ndim", [
    (lambda: L.RepeatVector(2, name="r"), (2, 3, 4), 2),
    (lambda: L.Permute((2, 1), name="r"), (2, 3, 4, 5), 3),
    (lambda: L.UpSampling2D(name="r"), (2, 3, 4), 4),
    (lambda: L.ZeroPadding2D(name="r"), (2, 3), 4),
    (lambda: L.Cropping2D(name="r"), (2, 3, 4, 5, 6), 4),
])
def test_wrong_rank(make, shape, ndim):
    with pytest.raises(ValueError, match=rf'layer "r" .*expected ndim={ndim}'):
        make()(rand(shape))


def test_cropping_too_much():
    with pytest.raises(ValueError, match=r"Cropping2D '.*': values in `cropping` argument should "
                                         r"be smaller"):
        L.Cropping2D(((2, 2), (0, 0)))(rand((1, 4, 4, 1)))

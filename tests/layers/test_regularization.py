"""Dropout, SpatialDropout1D/2D/3D and GaussianNoise: inference identity, drop statistics,
scaling, key handling under jit, and argument errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

KEY = jax.random.PRNGKey(42)


def test_dropout_inference_is_identity_and_needs_no_key():
    x = np.random.default_rng(0).normal(size=(4, 8)).astype(np.float32)
    layer = L.Dropout(0.5)
    np.testing.assert_array_equal(layer(x), x)
    y, state = layer.apply(layer.init(0, x.shape), x, training=False)
    np.testing.assert_array_equal(y, x)
    assert state == {} and layer.weights == []


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_dropout_drops_rate_of_units_and_scales_the_rest(rate):
    x = np.ones((400, 500), np.float32)
    layer = L.Dropout(rate)
    y, _ = layer.apply({}, x, training=True, rng=KEY)
    y = np.asarray(y)
    dropped = np.mean(y == 0)
    # 200,000 Bernoulli draws: the std of the fraction is below 0.0012; 5 sigma.
    assert abs(dropped - rate) < 0.006
    np.testing.assert_allclose(y[y != 0], 1.0 / (1.0 - rate), rtol=1e-6)
    # the expectation is kept
    assert abs(y.mean() - 1.0) < 0.02


def test_dropout_exact_values_from_key():
    x = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    layer = L.Dropout(0.25)
    y, _ = layer.apply({}, x, training=True, rng=KEY)
    keep = np.asarray(jax.random.bernoulli(KEY, 0.75, x.shape))
    np.testing.assert_allclose(y, np.where(keep, x / 0.75, 0.0), rtol=1e-6)


def test_dropout_masks_differ_between_keys_and_repeat_for_same_key():
    x = np.ones((64, 64), np.float32)
    layer = L.Dropout(0.5)
    a, _ = layer.apply({}, x, training=True, rng=jax.random.PRNGKey(0))
    b, _ = layer.apply({}, x, training=True, rng=jax.random.PRNGKey(1))
    c, _ = layer.apply({}, x, training=True, rng=jax.random.PRNGKey(0))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_dropout_eager_training_calls_draw_fresh_masks():
    x = np.ones((32, 32), np.float32)
    layer = L.Dropout(0.5)
    assert not np.array_equal(layer(x, training=True), layer(x, training=True))


def test_dropout_seed_changes_the_mask_deterministically():
    x = np.ones((32, 32), np.float32)
    a = L.Dropout(0.5, seed=1).apply({}, x, training=True, rng=KEY)[0]
    b = L.Dropout(0.5, seed=2).apply({}, x, training=True, rng=KEY)[0]
    a2 = L.Dropout(0.5, seed=1).apply({}, x, training=True, rng=KEY)[0]
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, a2)


def test_dropout_jit_with_key_argument_and_grad():
    x = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    layer = L.Dropout(0.4)
    f = jax.jit(lambda x, key: layer.apply({}, x, training=True, rng=key)[0])
    np.testing.assert_allclose(f(x, KEY), layer.apply({}, x, training=True, rng=KEY)[0],
                               rtol=1e-6)
    assert not np.array_equal(f(x, KEY), f(x, jax.random.PRNGKey(7)))
    g = jax.grad(lambda x: jnp.sum(layer.apply({}, x, training=True, rng=KEY)[0]))(x)
    keep = np.asarray(layer.apply({}, np.ones_like(x), training=True, rng=KEY)[0]) != 0
    np.testing.assert_allclose(g, np.where(keep, 1 / 0.6, 0.0), rtol=1e-6)


def test_dropout_training_without_key_says_how_to_fix():
    with pytest.raises(ValueError, match="rng=jax.random.PRNGKey"):
        L.Dropout(0.5).apply({}, np.ones((2, 2)), training=True)


def test_dropout_rate_zero_is_identity_and_one_drops_everything_as_keras(tf):
    x = np.arange(1, 10, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(L.Dropout(0.0).apply({}, x, training=True)[0], x)
    for cls in ("Dropout", "SpatialDropout1D"):
        x3 = x.reshape(1, 3, 3)
        ours, theirs = getattr(L, cls)(1.0), getattr(tf.keras.layers, cls)(1.0)
        assert ours.rate == theirs.rate == 1.0
        y, _ = ours.apply({}, x3, training=True, rng=KEY)
        np.testing.assert_array_equal(y, theirs(x3, training=True).numpy())
        np.testing.assert_array_equal(ours(x3), theirs(x3).numpy())
        assert not np.asarray(y).any()
    grad = jax.grad(lambda v: L.Dropout(1.0).apply({}, v, training=True, rng=KEY)[0].sum())(x)
    np.testing.assert_array_equal(grad, np.zeros_like(x))
    with pytest.raises(ValueError, match=r"Dropout. Expected a float value between 0 and 1"):
        L.Dropout(1.0001)


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((8, 5, 6), np.float32)
    y = np.asarray(L.Dropout(0.5, noise_shape=(None, 1, 6)).apply(
        {}, x, training=True, rng=KEY)[0])
    assert (y == y[:, :1, :]).all()
    assert 0 < np.mean(y == 0) < 1
    with pytest.raises(ValueError, match="one entry per input axis"):
        L.Dropout(0.5, noise_shape=(None, 1)).apply({}, x, training=True, rng=KEY)
    with pytest.raises(ValueError, match="broadcastable"):
        L.Dropout(0.5, noise_shape=(None, 3, 6)).apply({}, x, training=True, rng=KEY)


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5", None, True])
def test_dropout_bad_rate_names_the_layer(rate):
    with pytest.raises(ValueError, match=r"`rate` of Dropout\. Expected a float value "
                                         r"between 0 and 1\. Received: rate="):
        L.Dropout(rate)


@pytest.mark.parametrize("noise_shape,match", [
    ("abc", "Expected a tuple or list of integers"), (5, "Expected an iterable"),
    ((None, 2.5), "integers or None"), ((None, 0), "positive integers")])
def test_dropout_bad_noise_shape(noise_shape, match):
    with pytest.raises(ValueError, match=match):
        L.Dropout(0.5, noise_shape=noise_shape)


def test_dropout_bad_seed_and_unknown_kwargs():
    with pytest.raises(ValueError, match="`seed` must be an integer"):
        L.Dropout(0.5, seed="a")
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        L.Dropout(0.5, foo=1)


def test_dropout_passes_masks_and_works_in_a_model():
    assert L.Dropout(0.5).supports_masking
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3), L.Dropout(0.5)])
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(model(x), model(x))
    v = model.get_variables()
    a, _ = model.apply(v, x, training=True, rng=jax.random.PRNGKey(0))
    b, _ = model.apply(v, x, training=True, rng=jax.random.PRNGKey(1))
    assert not np.array_equal(a, b)


# ---- spatial dropout --------------------------------------------------------------------------
def test_spatial_dropout_1d_drops_whole_channels():
    x = np.ones((16, 7, 32), np.float32)
    y = np.asarray(L.SpatialDropout1D(0.5).apply({}, x, training=True, rng=KEY)[0])
    assert (y == y[:, :1, :]).all()
    assert 0.3 < np.mean(y == 0) < 0.7
    np.testing.assert_allclose(y[y != 0], 2.0)
    with pytest.raises(ValueError, match="expected ndim=3"):
        L.SpatialDropout1D(0.5)(np.ones((2, 3)))


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first", None])
def test_spatial_dropout_2d_data_format(fmt):
    x = np.ones((8, 4, 5, 16), np.float32)
    layer = L.SpatialDropout2D(0.5, data_format=fmt)
    y = np.asarray(layer.apply({}, x, training=True, rng=KEY)[0])
    if fmt == "channels_first":
        assert (y == y[:, :, :1, :1]).all()
    else:
        assert (y == y[:, :1, :1, :]).all()
    assert 0 < np.mean(y == 0) < 1
    np.testing.assert_array_equal(layer(x), x)


def test_spatial_dropout_3d_and_errors():
    x = np.ones((4, 2, 3, 2, 8), np.float32)
    y = np.asarray(L.SpatialDropout3D(0.5).apply({}, x, training=True, rng=KEY)[0])
    assert (y == y[:, :1, :1, :1, :]).all()
    with pytest.raises(ValueError, match="data_format"):
        L.SpatialDropout2D(0.5, data_format="nhwc")
    with pytest.raises(ValueError, match="expected ndim=4"):
        L.SpatialDropout2D(0.5)(np.ones((2, 3, 4)))
    with pytest.raises(TypeError, match="no `noise_shape`"):
        L.SpatialDropout1D(0.5, noise_shape=(1, 1, 1))


# ---- GaussianNoise ----------------------------------------------------------------------------
def test_gaussian_noise_statistics_inference_and_jit():
    x = np.zeros((300, 300), np.float32)
    layer = L.GaussianNoise(0.5)
    np.testing.assert_array_equal(layer(x), x)
    y = np.asarray(layer.apply({}, x, training=True, rng=KEY)[0])
    assert abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01
    f = jax.jit(lambda x, k: layer.apply({}, x, training=True, rng=k)[0])
    np.testing.assert_allclose(f(x, KEY), y, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(y, 0.5 * np.asarray(jax.random.normal(KEY, x.shape)), rtol=1e-6)


@pytest.mark.parametrize("stddev", [-1.0, 2.0, "a"])
def test_gaussian_noise_bad_stddev(stddev):
    with pytest.raises(ValueError, match="`stddev` of GaussianNoise"):
        L.GaussianNoise(stddev)

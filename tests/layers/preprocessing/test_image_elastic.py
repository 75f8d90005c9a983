"""RandomElasticTransform: a given transformation equals Keras 3's (JAX backend: the same
noise key gives the same field) transform_images; the warp equals ops.image.elastic_transform;
the sampled transformations (which images, how much); identity at inference; config and
errors as tf.keras."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.random.seed_generator import draw_seed
from jkeras.testing import layer_test


def test_given_transformation_matches_keras_jax(tf, images, keras_jax, same_config):
    x = images((3, 12, 10, 3))
    apply = np.array([True, False, True])
    ours = L.RandomElasticTransform(scale=1.0, fill_mode="constant", fill_value=9.0)
    key = draw_seed(5)  # Keras's key for seed=5
    expected = keras_jax(
        "keras.layers.RandomElasticTransform(scale=1.0, fill_mode='constant', fill_value=9.0)",
        x, "layer.transform_images(x, {'apply_transform': np.array([True, False, True]), "
           "'distortion_factor': np.float32(1.0), 'seed': 5})")
    out = np.asarray(ours.adjust(x, apply, np.float32(1.0), key))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(out[1], x[1])
    same_config(ours, tf.keras.layers.RandomElasticTransform(scale=1.0, fill_mode="constant",
                                                             fill_value=9.0))


def test_warp_is_ops_elastic_transform(images):
    x = images((2, 16, 16, 3))
    key = jax.random.PRNGKey(7)
    ours = L.RandomElasticTransform(scale=0.5).deform(x, key, np.float32(0.5))
    ref = jkeras.ops.image.elastic_transform(x, alpha=0.8, sigma=0.4, seed=key)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(ref), rtol=1e-6, atol=1e-4)


def test_sampled_transformations(images):
    x = images((64, 8, 8, 1))
    out = np.asarray(L.RandomElasticTransform(factor=0.5, scale=1.0, seed=1)(x))
    changed = np.any(np.abs(out - x) > 1e-3, axis=(1, 2, 3))
    # P(applied) = E[U(0, 0.5)] = 0.25 per image
    assert 4 <= changed.sum() <= 30
    assert out.min() >= 0 and out.max() <= 255
    np.testing.assert_array_equal(np.asarray(L.RandomElasticTransform(factor=0.0)(x)), x)
    np.testing.assert_array_equal(np.asarray(L.RandomElasticTransform(seed=2)(x, training=False)),
                                  x)


def test_layer_test(tf, images):
    layer_test(L.RandomElasticTransform, {"factor": 0.7, "scale": 0.4, "seed": 4},
               input_data=images((2, 8, 8, 3)), expected_output_shape=(2, 8, 8, 3))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"scale": 2.0}, ValueError, "`scale` argument should be a number"),
    ({"fill_mode": "edge"}, NotImplementedError, "Unknown `fill_mode`"),
    ({"interpolation": "bicubic"}, NotImplementedError, "Unknown `interpolation`"),
])
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        L.RandomElasticTransform(**kwargs)

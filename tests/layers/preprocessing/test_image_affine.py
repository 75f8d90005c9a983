"""RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomShear, RandomPerspective:
exact outputs against tf.keras for fixed transformations, distributions of the sampled ones,
identity at inference."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import layers as L

TOL = dict(rtol=1e-5, atol=2e-3)  # pixels in [0, 255)
MODES = ["reflect", "constant", "nearest"]


@pytest.mark.parametrize("fill_mode", MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_rotation_fixed_angle_matches_tf(tf, images, same_config, fill_mode, interpolation):
    x = images((2, 7, 9, 3))
    kwargs = dict(factor=(0.1, 0.1), fill_mode=fill_mode, interpolation=interpolation,
                  fill_value=3.0)
    ours, theirs = L.RandomRotation(**kwargs), tf.keras.layers.RandomRotation(**kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), **TOL)
    same_config(ours, theirs)


@pytest.mark.parametrize("fill_mode", MODES)
def test_zoom_fixed_factors_match_tf(tf, images, same_config, fill_mode):
    x = images((2, 8, 6, 2))
    for kwargs in [dict(height_factor=(0.3, 0.3), width_factor=(-0.2, -0.2)),
                   dict(height_factor=(-0.4, -0.4))]:
        ours = L.RandomZoom(fill_mode=fill_mode, **kwargs)
        theirs = tf.keras.layers.RandomZoom(fill_mode=fill_mode, **kwargs)
        np.testing.assert_allclose(ours(x), theirs(x).numpy(), **TOL)
        same_config(ours, theirs)


@pytest.mark.parametrize("fill_mode", MODES)
def test_translation_fixed_factors_match_tf(tf, images, same_config, fill_mode):
    x = images((2, 8, 6, 2))
    kwargs = dict(height_factor=(0.25, 0.25), width_factor=(-0.3, -0.3), fill_mode=fill_mode)
    ours, theirs = L.RandomTranslation(**kwargs), tf.keras.layers.RandomTranslation(**kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), **TOL)
    same_config(ours, theirs)


def test_channels_first_and_single_image(tf, images):
    x = images((2, 3, 7, 8))
    kwargs = dict(factor=(-0.2, -0.2), data_format="channels_first", fill_mode="constant")
    np.testing.assert_allclose(L.RandomRotation(**kwargs)(x),
                               tf.keras.layers.RandomRotation(**kwargs)(x).numpy(), **TOL)
    np.testing.assert_allclose(L.RandomRotation(**kwargs)(x[0]),
                               tf.keras.layers.RandomRotation(**kwargs)(x[0]).numpy(), **TOL)


def test_flip_given_flips_matches_tf(tf, images, same_config):
    x = images((4, 5, 6, 2))
    flips = np.array([True, False, True, False]).reshape(4, 1, 1, 1)
    for mode in ["horizontal", "vertical", "horizontal_and_vertical"]:
        ours, theirs = L.RandomFlip(mode, seed=2), tf.keras.layers.RandomFlip(mode, seed=2)
        expected = theirs.transform_images(x, {"flips": flips}, training=True).numpy()
        np.testing.assert_array_equal(ours.flip(x, flips), expected)
        same_config(ours, theirs)


def test_flip_distribution_and_inference(images):
    x = images((400, 2, 3, 1))
    out = np.asarray(L.RandomFlip("horizontal")(x))
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(flipped | np.all(out == x, axis=(1, 2, 3)))
    assert 0.4 < flipped.mean() < 0.6
    np.testing.assert_array_equal(L.RandomFlip()(x, training=False), x)


def test_sampled_parameters_cover_the_factor_range():
    keys = jax.random.split(jax.random.PRNGKey(0), 2)
    shape = (2000, 9, 9, 1)
    rot = L.RandomRotation((-0.1, 0.2)).sample_transform(keys[0], shape)
    angles = np.degrees(np.arctan2(np.asarray(rot[:, 3]), np.asarray(rot[:, 0])))
    assert -36.0 <= angles.min() < -34.0 and 70.0 < angles.max() <= 72.0
    assert abs(angles.mean() - 18.0) < 2.0
    zoom = L.RandomZoom((-0.2, 0.3), (0.1, 0.5)).sample_transform(keys[1], shape)
    heights, widths = np.asarray(zoom[:, 4]), np.asarray(zoom[:, 0])
    assert 0.8 <= heights.min() < 0.82 and 1.28 < heights.max() <= 1.3
    assert 1.1 <= widths.min() < 1.12 and 1.48 < widths.max() <= 1.5
    assert abs(np.corrcoef(heights, widths)[0, 1]) < 0.1  # independent draws
    same = L.RandomZoom(0.3).sample_transform(keys[1], shape)
    np.testing.assert_array_equal(same[:, 0], same[:, 4])
    shift = L.RandomTranslation(0.5, (0.0, 0.25)).sample_transform(keys[0], shape)
    dy, dx = -np.asarray(shift[:, 5]), -np.asarray(shift[:, 2])
    assert -4.5 <= dy.min() < -4.3 and 4.3 < dy.max() <= 4.5
    assert 0.0 <= dx.min() < 0.05 and 2.2 < dx.max() <= 2.25


def test_identity_at_inference_and_per_image_draws(images):
    x = images((3, 6, 6, 1))
    for layer in [L.RandomRotation(0.3), L.RandomZoom(0.3), L.RandomTranslation(0.3, 0.3)]:
        np.testing.assert_array_equal(layer(x, training=False), x)
        out = np.asarray(layer(np.repeat(x[:1], 3, axis=0)))
        assert not np.allclose(out[0], out[1])  # one transform per image
        rng = jax.random.PRNGKey(4)
        run = jax.jit(lambda v, x, k, layer=layer: layer.apply(v, x, training=True, rng=k)[0])
        np.testing.assert_array_equal(run({}, x, rng), run({}, x, rng))  # pure in the key


def test_seed_folds_into_the_key(images):
    x = images((2, 6, 6, 1))
    rng = jax.random.PRNGKey(0)
    a, b, c = (L.RandomRotation(0.3, seed=s).apply({}, x, training=True, rng=rng)[0]
               for s in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_wrap_fill_mode_follows_keras_jax_backend(images, keras_jax):
    # TF's ImageProjectiveTransform wraps differently from jax.scipy's map_coordinates; Keras's JAX
    # backend (the spec here) uses the latter.
    x = images((1, 5, 6, 1))
    expected = keras_jax("keras.layers.RandomTranslation((0.4, 0.4), (-0.5, -0.5), "
                         "fill_mode='wrap')", x)
    ours = L.RandomTranslation((0.4, 0.4), (-0.5, -0.5), fill_mode="wrap")(x)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("fill_mode", MODES)
def test_shear_given_factors_matches_tf(tf, images, same_config, fill_mode):
    x = images((3, 7, 6, 3))
    kwargs = dict(x_factor=(0.3, 0.3), y_factor=(0.2, 0.2), fill_mode=fill_mode, seed=1)
    ours, theirs = L.RandomShear(**kwargs), tf.keras.layers.RandomShear(**kwargs)
    shear = np.float32([[0.3, 0.2], [-0.3, -0.2], [0.3, 0.2]])
    expected = theirs._transform_images(x, {"shear_factor": shear}, "bilinear").numpy()
    out = ours.apply_transform(x, ours.shear_matrix(shear[:, 0], shear[:, 1]))
    np.testing.assert_allclose(out, expected, **TOL)
    same_config(ours, theirs)
    np.testing.assert_array_equal(ours(x, training=False), x)
    sampled = np.asarray(ours.sample_transform(jax.random.PRNGKey(0), (500, 7, 6, 3)))
    np.testing.assert_allclose(np.abs(sampled[:, 1]), 0.3, rtol=1e-6)  # fixed size, random sign
    assert 0.4 < np.mean(sampled[:, 1] > 0) < 0.6
    assert np.all(np.sign(sampled[:, 1]) == np.sign(sampled[:, 3]))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_perspective_given_tf_corners(tf, images, same_config, interpolation):
    x = images((3, 7, 6, 3))
    kwargs = dict(scale=0.6, seed=3, interpolation=interpolation, fill_value=2.0)
    ours, theirs = L.RandomPerspective(**kwargs), tf.keras.layers.RandomPerspective(**kwargs)
    t = theirs.get_random_transformation(x)
    expected = theirs._transform_images(x, t, interpolation).numpy()
    out = ours.warp(x, np.asarray(t["start_points"]), np.asarray(t["end_points"]),
                    np.asarray(t["apply_perspective"]))
    np.testing.assert_allclose(out, expected, **TOL)
    same_config(ours, theirs)
    np.testing.assert_array_equal(ours(x, training=False), x)
    assert np.asarray(ours(x)).shape == x.shape


@pytest.mark.parametrize("make,error,match", [
    (lambda: L.RandomRotation(1.5), ValueError, r"range \[-1, 1\]"),
    (lambda: L.RandomRotation((0.1, 0.2, 0.3)), ValueError, "list of two numbers"),
    (lambda: L.RandomRotation(0.1, fill_mode="mirror"), NotImplementedError, "Unknown `fill_mode`"),
    (lambda: L.RandomRotation(0.1, interpolation="bicubic"), ValueError, "Unknown `interpol"),
    (lambda: L.RandomZoom(-1.0), ValueError, r"\(-1.0, 1.0\]"),
    (lambda: L.RandomZoom(0.2, width_factor="a"), ValueError, "width_factor=a"),
    (lambda: L.RandomTranslation(0.1, 1.2), ValueError, r"\[-1.0, 1.0\]"),
    (lambda: L.RandomFlip("diagonal"), ValueError, "unknown mode"),
    (lambda: L.RandomFlip(seed=1.5), ValueError, "seed"),
    (lambda: L.RandomShear(x_factor=-0.1), ValueError, r"\[0, 1.0\]"),
    (lambda: L.RandomPerspective(scale=1.5), ValueError, r"range \[0,1\]"),
    (lambda: L.RandomPerspective(interpolation="bicubic"), ValueError, "interpolation"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()

"""RandomContrast and RandomBrightness against tf.keras, given the same sampled parameters."""
import jax
import numpy as np
import pytest

from jkeras import layers as L


def test_contrast_given_factor_matches_tf(tf, images, same_config):
    x = images((3, 5, 6, 3))
    factor = np.array([0.5, 1.0, 1.7], np.float32).reshape(3, 1, 1, 1)
    ours = L.RandomContrast(0.7, value_range=(0, 255), seed=1)
    theirs = tf.keras.layers.RandomContrast(0.7, value_range=(0, 255), seed=1)
    expected = theirs.transform_images(x, {"contrast_factor": factor}, training=True).numpy()
    np.testing.assert_allclose(ours.adjust(x, factor), expected, rtol=1e-5, atol=1e-4)
    same_config(ours, theirs)
    assert ours.factor == tuple(theirs.factor)


def test_contrast_draws_and_inference(images):
    x = images((500, 4, 4, 1), high=50.0) + 100.0  # never clipped at factors <= 1.5
    out = np.asarray(L.RandomContrast((0.2, 0.5))(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    factors = ((out - mean) / (x - mean))[:, 0, 0, 0]
    assert 0.8 <= factors.min() < 0.81 and 1.49 < factors.max() <= 1.5
    assert abs(factors.mean() - 1.15) < 0.03
    clipped = np.asarray(L.RandomContrast(1.0, value_range=(0, 1))(x / 255.0))
    assert clipped.min() >= 0 and clipped.max() <= 1
    np.testing.assert_array_equal(L.RandomContrast(0.5)(x, training=False), x)


def test_brightness_fixed_delta_matches_tf(tf, images, call_matches_tf):
    x = images((2, 4, 5, 3))
    call_matches_tf("RandomBrightness", dict(factor=(0.3, 0.3), value_range=(0, 255)), x)
    xi = x.astype(np.int32)
    kwargs = dict(factor=(-0.1, -0.1), value_range=(255, 0))
    out = L.RandomBrightness(**kwargs)(xi)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, tf.keras.layers.RandomBrightness(**kwargs)(xi).numpy())


def test_brightness_draws_and_inference(images):
    x = np.full((400, 2, 2, 1), 0.5, np.float32)
    deltas = np.asarray(L.RandomBrightness(0.2, value_range=(0, 1))(x))[:, 0, 0, 0] - 0.5
    assert -0.2 <= deltas.min() < -0.18 and 0.18 < deltas.max() <= 0.2
    assert abs(deltas.mean()) < 0.02
    np.testing.assert_array_equal(L.RandomBrightness(0.2)(x, training=False), x)
    layer = L.RandomBrightness(0.2, seed=3)
    run = jax.jit(lambda x, k: layer.apply({}, x, training=True, rng=k)[0])
    np.testing.assert_array_equal(run(x, jax.random.PRNGKey(1)), run(x, jax.random.PRNGKey(1)))


@pytest.mark.parametrize("make,match", [
    (lambda: L.RandomContrast(1.5), r"range \[0, 1\]"),
    (lambda: L.RandomContrast(-0.1), r"range \[0, 1\]"),
    (lambda: L.RandomBrightness(0.2, value_range=(0, 1, 2)), "list of two numbers"),
    (lambda: L.RandomBrightness(0.2, value_range=5), "list of two numbers"),
    (lambda: L.RandomBrightness("big"), "should be a number"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_contrast_on_integer_images_is_a_clear_error():
    with pytest.raises(TypeError, match="float images"):
        L.RandomContrast(0.5)(np.zeros((1, 2, 2, 1), np.int32))


B3 = np.array([True, False, True])
COLOR_CASES = {  # name -> (kwargs, tf.keras transformation, our adjust(...) arguments)
    "RandomGrayscale": ({"factor": 0.4}, B3.reshape(3, 1, 1, 1), [B3.reshape(3, 1, 1, 1)]),
    "RandomHue": ({"factor": 0.9, "seed": 2}, {"factor": np.float32([0.1, -0.3, 0.45])},
                  [np.float32([0.1, -0.3, 0.45])]),
    "RandomSaturation": ({"factor": 0.5}, {"factor": np.float32([0.5, 1.7, 0.0])},
                         [np.float32([0.5, 1.7, 0.0])]),
    "RandomColorDegeneration": ({"factor": (0.2, 0.6)},
                                {"factor": np.float32([0.5, -0.3, 1.0]).reshape(3, 1, 1, 1)},
                                [np.float32([0.5, -0.3, 1.0]).reshape(3, 1, 1, 1)]),
}


@pytest.mark.parametrize("name", sorted(COLOR_CASES))
def test_color_layers_given_parameters_match_tf(given_matches_tf, images, name):
    kwargs, transformation, args = COLOR_CASES[name]
    x = images((3, 5, 6, 3))
    ours, _ = given_matches_tf(name, kwargs, x, transformation, args)
    out = np.asarray(ours(x))
    assert out.shape == x.shape and np.all(np.isfinite(out))


def test_grayscale_probability_and_hue_range(images):
    x = images((400, 2, 2, 3))
    out = np.asarray(L.RandomGrayscale(0.25)(x))
    gray = np.all(out == out[..., :1], axis=(1, 2, 3))
    assert 0.18 < gray.mean() < 0.32
    hue = L.RandomHue(0.0)  # a zero shift keeps the colours (up to the HSV round trip)
    np.testing.assert_allclose(hue(x[:5]), x[:5], rtol=1e-4, atol=1e-2)


def test_color_jitter_composes_its_parts(images, call_matches_tf):
    x = images((4, 5, 5, 3))
    call_matches_tf("RandomColorJitter", dict(brightness_factor=(0.1, 0.1), value_range=(0, 255)),
                    x, atol=1e-3)
    full = L.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3, saturation_factor=0.3,
                               hue_factor=0.1, seed=1)
    out = np.asarray(full(x))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    np.testing.assert_array_equal(full(x, training=False), x)

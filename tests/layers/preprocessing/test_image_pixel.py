"""RandomInvert, RandomPosterization, Solarization, RandomSharpness, AutoContrast against tf.keras
given the same sampled parameters; draws; inference."""
import jax
import numpy as np
import pytest

from jkeras import layers as L

CASES = {  # name -> (kwargs, tf.keras transformation, our adjust(...) arguments)
    "RandomInvert": ({"factor": 0.5}, {"apply_inversion": np.array([True, False, True])},
                     [np.array([True, False, True])]),
    "RandomPosterization": ({"factor": (2, 6)}, {"shift_factor": np.uint8([7, 5, 1])},
                            [np.uint8([1, 3, 7])]),
    "Solarization": ({"addition_factor": 0.5, "threshold_factor": (0.2, 0.8)},
                     {"additions": np.float32([10, 50, 0]).reshape(3, 1, 1, 1),
                      "thresholds": np.float32([100, 200, 30]).reshape(3, 1, 1, 1)},
                     [np.float32([10, 50, 0]).reshape(3, 1, 1, 1),
                      np.float32([100, 200, 30]).reshape(3, 1, 1, 1)]),
    "RandomSharpness": ({"factor": 0.6}, {"factor": np.float32([0.1, 0.5, 0.9])},
                        [np.float32([0.1, 0.5, 0.9])]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_given_parameters_match_tf(given_matches_tf, images, name):
    kwargs, transformation, args = CASES[name]
    x = images((3, 5, 6, 3))
    ours, _ = given_matches_tf(name, kwargs, x, transformation, args)
    run = jax.jit(lambda x, k: ours.apply({}, x, training=True, rng=k)[0])
    np.testing.assert_array_equal(run(x, jax.random.PRNGKey(3)), run(x, jax.random.PRNGKey(3)))


def test_auto_contrast_matches_tf_in_training_and_inference(tf, images, same_config):
    x = images((2, 4, 5, 3), high=100.0) + 50.0
    x[1, ..., 2] = 7.0  # a constant channel stays as it is
    ours, theirs = L.AutoContrast(value_range=(0, 255)), tf.keras.layers.AutoContrast()
    for training in (True, False):
        np.testing.assert_allclose(ours(x, training=training),
                                   theirs(x, training=training).numpy(), rtol=1e-5, atol=1e-4)
    same_config(ours, theirs)


def test_draws(images):
    x = images((300, 2, 2, 1))
    inverted = np.all(np.asarray(L.RandomInvert(1.0)(x)) != x, axis=(1, 2, 3))
    assert 0.4 < inverted.mean() < 0.6  # probability ~ U(0, 1), so about half
    levels = np.asarray(L.RandomPosterization((3, 3))(x))
    assert np.all(levels % 32 == 0)  # 3 bits kept: multiples of 2 ** 5
    same = np.asarray(L.Solarization(0.0, 0.0)(x))
    np.testing.assert_allclose(same, 255 - x, rtol=1e-6)  # threshold 0: every pixel inverts


@pytest.mark.parametrize("make,match", [
    (lambda: L.RandomInvert(1.5), r"range \[0, 1\]"),
    (lambda: L.RandomPosterization(9), r"range \[1, 8\]"),
    (lambda: L.Solarization(addition_factor=1.5), "addition_factor"),
    (lambda: L.Solarization(threshold_factor=(0.1, 0.2, 0.3)), "threshold_factor"),
    (lambda: L.RandomSharpness(0.5, value_range=(0,)), "list of two numbers"),
    (lambda: L.AutoContrast(value_range="0-255"), "list of two numbers"),
    (lambda: L.RandomGrayscale(1.5), "between 0 and 1"),
    (lambda: L.RandomHue(-0.5), r"range \[0, 1\]"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_gaussian_blur_given_parameters(tf, images, same_config, keras_jax):
    x = images((3, 7, 6, 3))
    apply, sigma = np.array([True, False, True]), np.float32([0.7, 0.4])
    ours, theirs = L.RandomGaussianBlur(), tf.keras.layers.RandomGaussianBlur()
    expected = theirs.transform_images(x, {"should_apply_blur": apply, "blur_factor": sigma})
    np.testing.assert_allclose(ours.adjust(x, apply, sigma), expected.numpy(), rtol=1e-5, atol=1e-4)
    same_config(ours, theirs)
    # A non-square kernel: Keras's JAX and TF backends orient it differently; JAX is the spec.
    wide = L.RandomGaussianBlur(kernel_size=(3, 5))
    expected = keras_jax("keras.layers.RandomGaussianBlur(kernel_size=(3, 5))", x,
                         "layer.transform_images(x, {'should_apply_blur': np.array([True, False, "
                         "True]), 'blur_factor': np.float32([0.7, 0.4])})")
    np.testing.assert_allclose(wide.adjust(x, apply, sigma), expected, rtol=1e-5, atol=1e-4)
    assert np.asarray(ours(x)).shape == x.shape
    with pytest.raises(ValueError, match="odd number"):
        L.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="`sigma` argument"):
        L.RandomGaussianBlur(sigma=2.0)


@pytest.mark.parametrize("kwargs", [{}, {"bins": 16}, {"value_range": (0, 1)}])
def test_equalization_matches_tf(images, call_matches_tf, kwargs):
    x = images((3, 7, 6, 3), high=1.0 if "value_range" in kwargs else 255.0)
    x[..., 1] = x[0, 0, 0, 1]  # a constant channel is left as it is
    ours, _ = call_matches_tf("Equalization", kwargs, x, atol=1e-5)
    np.testing.assert_array_equal(ours(x, training=False), x)  # active in training only

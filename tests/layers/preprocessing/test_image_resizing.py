"""Resizing, CenterCrop, RandomCrop against tf.keras (Keras 3.15, TF backend)."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("size", [(4, 3), (9, 11)])
def test_resizing_matches_tf(tf, images, same_config, interpolation, antialias, size):
    x = images((2, 6, 7, 3))
    kwargs = dict(interpolation=interpolation, antialias=antialias)
    ours, theirs = L.Resizing(*size, **kwargs), tf.keras.layers.Resizing(*size, **kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=2e-4)
    same_config(ours, theirs)


def test_resizing_bicubic_with_antialias_matches_tf(tf, images):
    # Without antialias, Keras's JAX backend (jax.image.resize, Keys a=-0.5) and TF's
    # resize_bicubic differ by ~2e-3 on 0..1 images; jkeras follows the JAX backend.
    x = images((2, 6, 7, 3), high=1.0)
    ours = L.Resizing(4, 5, interpolation="bicubic", antialias=True)
    theirs = tf.keras.layers.Resizing(4, 5, interpolation="bicubic", antialias=True)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        L.Resizing(4, 5, interpolation="bicubic")(x),
        jax.image.resize(x, (2, 4, 5, 3), "bicubic", antialias=False), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,size", [((2, 6, 9, 3), (4, 4)), ((2, 9, 5, 1), (3, 6)),
                                        ((7, 8, 2), (5, 5))])
@pytest.mark.parametrize("mode", ["crop_to_aspect_ratio", "pad_to_aspect_ratio"])
def test_resizing_aspect_ratio_matches_tf(tf, images, shape, size, mode):
    x = images(shape)
    kwargs = {mode: True, "fill_value": 7.0}
    ours, theirs = L.Resizing(*size, **kwargs), tf.keras.layers.Resizing(*size, **kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=2e-4)


def test_resizing_channels_first_and_integer_images(tf, images):
    x = images((2, 3, 6, 8))
    ours = L.Resizing(4, 5, data_format="channels_first")
    theirs = tf.keras.layers.Resizing(4, 5, data_format="channels_first")
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=2e-4)
    xi = x.astype(np.uint8)
    out = L.Resizing(3, 3, data_format="channels_first")(xi)
    expected = tf.keras.layers.Resizing(3, 3, data_format="channels_first")(xi).numpy()
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("shape,size", [((2, 8, 7, 3), (4, 5)), ((2, 5, 6, 3), (7, 4)),
                                        ((6, 6, 1), (3, 3))])
def test_center_crop_matches_tf(tf, images, same_config, shape, size):
    x = images(shape)
    ours, theirs = L.CenterCrop(*size), tf.keras.layers.CenterCrop(*size)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=2e-4)
    np.testing.assert_allclose(ours(x, training=False), theirs(x, training=False).numpy(),
                               rtol=1e-5, atol=2e-4)
    same_config(ours, theirs)


def test_random_crop_windows_and_inference(tf, images, same_config):
    x = images((3, 8, 9, 2))
    layer = L.RandomCrop(4, 5, seed=3)
    windows = {(i, j): x[:, i:i + 4, j:j + 5] for i in range(5) for j in range(5)}
    seen = set()
    for _ in range(40):  # one random window of the input, the same for the whole batch
        out = np.asarray(layer(x))
        hits = [k for k, w in windows.items() if np.array_equal(out, w)]
        assert len(hits) == 1
        seen.add(hits[0])
    assert len(seen) >= 10
    theirs = tf.keras.layers.RandomCrop(4, 5, seed=3)
    same_config(layer, theirs)
    # Inference as Keras's docstring documents (its code returns the input): smart_resize.
    expected = tf.keras.preprocessing.image.smart_resize(x, (4, 5))
    np.testing.assert_allclose(layer(x, training=False), expected, rtol=1e-5, atol=2e-4)


@pytest.mark.parametrize("shape", [(2, 4, 6, 1), (2, 3, 3, 2), (2, 8, 5, 1)])
def test_random_crop_small_inputs_match_tf_training(tf, images, shape):
    x = images(shape)
    np.testing.assert_allclose(L.RandomCrop(4, 5)(x), tf.keras.layers.RandomCrop(4, 5)(x).numpy(),
                               rtol=1e-5, atol=2e-4)


def test_jit_and_symbolic_shapes(images):
    x = images((2, 8, 8, 3))
    for layer, out_shape in [(L.Resizing(4, 6), (2, 4, 6, 3)), (L.CenterCrop(5, 5), (2, 5, 5, 3)),
                             (L.RandomCrop(3, 4), (2, 3, 4, 3))]:
        variables = layer.init(0, x)
        run = jax.jit(lambda v, x, k, layer=layer: layer.apply(v, x, training=True, rng=k)[0])
        assert run(variables, x, jax.random.PRNGKey(1)).shape == out_shape
        jkeras.utils.clear_session()
        inputs = jkeras.Input((8, 8, 3))
        assert type(layer).from_config(layer.get_config())(inputs).shape == (None,) + out_shape[1:]
        assert layer.compute_output_shape((None, 8, 8, 3)) == (None,) + out_shape[1:]


def test_configs_load_from_tf(tf):
    for name, kwargs in [("Resizing", dict(height=3, width=4, interpolation="nearest",
                                           pad_to_aspect_ratio=True, fill_value=2.0)),
                         ("CenterCrop", dict(height=2, width=3, data_format="channels_first")),
                         ("RandomCrop", dict(height=2, width=3, seed=5))]:
        config = getattr(tf.keras.layers, name)(**kwargs).get_config()
        ours = getattr(L, name).from_config(config)
        for key, value in kwargs.items():
            assert getattr(ours, key) == value


@pytest.mark.parametrize("make,error,match", [
    (lambda: L.Resizing(3, 3, interpolation="area"), ValueError, "Expected of one"),
    (lambda: L.Resizing(3, 3, fill_mode="reflect"), ValueError, "Only `'constant'`"),
    (lambda: L.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), ValueError,
     "Only one of"),
    (lambda: L.Resizing(0, 3), ValueError, "height"),
    (lambda: L.CenterCrop(3, 2.5), ValueError, "width"),
    (lambda: L.RandomCrop(3, 3, seed="a"), ValueError, "seed"),
    (lambda: L.Resizing(3, 3, data_format="nhwc"), ValueError, "data_format"),
    (lambda: L.Resizing(3, 3, seed=1), TypeError, "Unrecognized keyword"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_rank_and_dict_inputs():
    with pytest.raises(ValueError, match="rank 3"):
        L.Resizing(2, 2)(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="dict inputs"):
        L.CenterCrop(2, 2)({"images": np.zeros((1, 4, 4, 3))})

"""keras.ops.image: jkeras against Keras's own JAX backend on generated images."""
import numpy as np
import pytest

import jkeras
from keras_reference import Case, check_case

rng = np.random.default_rng(2)


def f32(*shape, low=0.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


def _cases():
    img, batch = f32(6, 5, 3), f32(2, 6, 5, 3)
    batch_cf = np.moveaxis(batch, -1, 1).copy()
    cases = []
    for interpolation in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"):
        cases.append(Case("ops.image.resize", batch, (4, 7), interpolation=interpolation,
                          tol=(1e-5, 1e-5)))
    cases += [Case("ops.image.resize", img, (3, 3), antialias=True, grad=True),
              Case("ops.image.resize", batch_cf, (8, 4), data_format="channels_first"),
              Case("ops.image.resize", batch, (4, 4), crop_to_aspect_ratio=True),
              Case("ops.image.resize", batch, (4, 8), pad_to_aspect_ratio=True, fill_value=0.5),
              Case("ops.image.resize", batch, (8, 4), pad_to_aspect_ratio=True),
              Case("ops.image.resize", (batch * 255).astype("uint8"), (3, 4)),
              Case("ops.image.resize", (batch * 100).astype("int32"), (3, 4)),
              Case("ops.image.resize", batch, (4, 4), interpolation="area"),
              Case("ops.image.resize", batch, (4,)),
              Case("ops.image.resize", batch, (0, 4)),
              Case("ops.image.resize", f32(5, 5), (2, 2))]
    for fn in ("rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"):
        cases += [Case(f"ops.image.{fn}", batch), Case(f"ops.image.{fn}", img),
                  Case(f"ops.image.{fn}", batch_cf, data_format="channels_first"),
                  Case(f"ops.image.{fn}", f32(3, 4))]
    cases += [Case("ops.image.rgb_to_grayscale", f32(2, 4, 4, 2)),
              Case("ops.image.rgb_to_hsv", (batch * 255).astype("int32"))]
    transform = np.array([[1.0, 0.2, -1.0, 0.1, 0.9, 0.5, 0.0, 0.0],
                          [0.8, 0.0, 1.0, 0.0, 1.2, -0.5, 0.0, 0.0]], "float32")
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        cases.append(Case("ops.image.affine_transform", batch, transform, fill_mode=mode))
    cases += [Case("ops.image.affine_transform", img, transform[0], interpolation="nearest",
                   fill_value=0.5),
              Case("ops.image.affine_transform", batch_cf, transform, data_format="channels_first"),
              Case("ops.image.affine_transform", batch, transform, interpolation="bicubic"),
              Case("ops.image.affine_transform", batch, transform, fill_mode="edge")]
    start = np.array([[0, 0], [4, 0], [0, 5], [4, 5]], "float32")
    end = np.array([[0.5, 0.2], [4.2, 0.1], [0.1, 4.6], [3.8, 5.2]], "float32")
    cases += [Case("ops.image.perspective_transform", batch, start, end),
              Case("ops.image.perspective_transform", img, start, end, interpolation="nearest",
                   fill_value=1.0),
              Case("ops.image.perspective_transform", batch_cf, np.stack([start, end]),
                   np.stack([end, start]), data_format="channels_first"),
              Case("ops.image.perspective_transform", batch, start[:3], end[:3])]
    coords = rng.uniform(-1, 6, (2, 4, 3)).astype("float32")
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        cases.append(Case("ops.image.map_coordinates", f32(5, 5), coords, 1, fill_mode=mode))
    cases += [Case("ops.image.map_coordinates", f32(5, 5), coords, 0, fill_value=2.0),
              Case("ops.image.map_coordinates", f32(5, 5), coords, 2),
              Case("ops.image.map_coordinates", f32(5, 5, 2), coords, 1)]
    cases += [Case("ops.image.gaussian_blur", batch, data_format="channels_last"),
              Case("ops.image.gaussian_blur", batch, (5, 3), (2.0, 0.5), data_format="channels_last"),
              Case("ops.image.gaussian_blur", img, data_format="channels_last"),
              Case("ops.image.gaussian_blur", batch_cf, data_format="channels_first"),
              Case("ops.image.elastic_transform", batch, seed=3, tol=(1e-4, 1e-5)),
              Case("ops.image.elastic_transform", img, alpha=5.0, sigma=1.0, seed=1,
                   interpolation="nearest", fill_mode="constant", tol=(1e-4, 1e-5)),
              Case("ops.image.elastic_transform", batch_cf, sigma=2.0, seed=4,
                   data_format="channels_first", tol=(1e-4, 1e-5)),
              Case("ops.image.scale_and_translate", batch, (2, 8, 7, 3), np.array([1.3, 1.4], "float32"),
                   np.array([0.5, -0.5], "float32"), (1, 2), "bilinear"),
              Case("ops.image.scale_and_translate", img, (4, 4, 3), np.array([0.7, 0.8], "float32"),
                   np.array([0.0, 0.0], "float32"), (0, 1), "cubic", antialias=False),
              Case("ops.image.scale_and_translate", img, (4, 4, 3), np.ones(2, "float32"),
                   np.zeros(2, "float32"), (0, 1), "area"),
              Case("ops.image.sobel_edges", batch), Case("ops.image.sobel_edges", batch_cf,
                                                          data_format="channels_first")]
    cases += [Case("ops.image.pad_images", batch, 1, 2, 0, 1),
              Case("ops.image.pad_images", img, top_padding=1, left_padding=0, target_height=9,
                   target_width=7),
              Case("ops.image.pad_images", batch_cf, bottom_padding=2, right_padding=1,
                   target_height=10, target_width=6, data_format="channels_first"),
              Case("ops.image.pad_images", batch, 1, 2),
              Case("ops.image.pad_images", batch, -1, 0, 0, 0),
              Case("ops.image.pad_images", batch, top_padding=4, left_padding=0,
                   target_height=8, target_width=5),
              Case("ops.image.pad_images", f32(3, 4), 1, 1, 1, 1),
              Case("ops.image.crop_images", batch, 1, 2, 0, 1),
              Case("ops.image.crop_images", img, top_cropping=1, left_cropping=0,
                   target_height=3, target_width=4),
              Case("ops.image.crop_images", batch_cf, bottom_cropping=2, right_cropping=1,
                   target_height=3, target_width=2, data_format="channels_first"),
              Case("ops.image.crop_images", batch, 1, 2),
              Case("ops.image.crop_images", batch, top_cropping=5, left_cropping=0,
                   target_height=3, target_width=5)]
    vol = f32(2, 4, 4, 4, 2)
    cases += [Case("ops.image.extract_patches", batch, 2),
              Case("ops.image.extract_patches", img, (3, 2), strides=1, padding="same"),
              Case("ops.image.extract_patches", batch, (2, 2), strides=(1, 2), dilation_rate=1),
              Case("ops.image.extract_patches", batch_cf, 2, data_format="channels_first"),
              Case("ops.image.extract_patches", vol, (2, 2, 2)),
              Case("ops.image.extract_patches", batch, "2"),
              Case("ops.image.extract_patches", batch, (2, 2, 2, 2)),
              Case("ops.image.extract_patches_3d", vol, 2),
              Case("ops.image.extract_patches_3d", vol[0], (2, 1, 2), strides=1),
              Case("ops.image.extract_patches_3d", vol, 2, strides=(1, 1))]
    cases += [Case("ops.image.ssim", f32(2, 16, 16, 3), f32(2, 16, 16, 3)),
              Case("ops.image.ssim", f32(12, 12, 1), f32(12, 12, 1), max_val=2.0, filter_size=5,
                   filter_sigma=1.0),
              Case("ops.image.ssim", f32(1, 2, 12, 12), f32(1, 2, 12, 12), filter_size=3,
                   data_format="channels_first"),
              Case("ops.image.ssim", f32(12, 12), f32(12, 12))]
    return cases


CASES = _cases()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_matches_keras_jax_backend(index, keras_ref):
    check_case(jkeras, CASES[index], keras_ref[index])


def test_gaussian_blur_default_data_format_is_the_configured_one():
    # Keras's JAX backend reads data_format=None as channels_first here; jkeras uses
    # image_data_format(), as documented (channels_last by default).
    x = f32(1, 6, 5, 3)
    np.testing.assert_array_equal(jkeras.ops.image.gaussian_blur(x),
                                  jkeras.ops.image.gaussian_blur(x, data_format="channels_last"))

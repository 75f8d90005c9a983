"""Image operations on NHWC batches, with the semantics of Keras 3's JAX backend (`ops.image`).

Everything here is jax.numpy on static shapes, so it runs inside a compiled step. The layers
convert rank-3 and channels_first inputs to NHWC batches before calling these.
"""
import math

import jax
import jax.numpy as jnp

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
AFFINE_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}  # -> map_coordinates order
AFFINE_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def aspect_crop_box(height, width, target_height, target_width):
    """The largest centred window of the target aspect ratio: (top, left, rows, cols)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (int(float(height - crop_height) / 2), int(float(width - crop_width) / 2),
            crop_height, crop_width)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_value=0.0):
    """`jax.image.resize` of an NHWC batch, after Keras's optional aspect-ratio crop or pad."""
    height, width = images.shape[1], images.shape[2]
    target_height, target_width = size
    if crop_to_aspect_ratio:
        top, left, rows, cols = aspect_crop_box(height, width, target_height, target_width)
        images = images[:, top:top + rows, left:left + cols, :]
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(float(width * target_height) / target_width))
        pad_width = max(width, int(float(height * target_width) / target_height))
        top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
        if top > 0:  # Keras pads `top` rows on both sides (or `left` columns), never both
            images = jnp.pad(images, ((0, 0), (top, top), (0, 0), (0, 0)),
                             constant_values=fill_value)
        elif left > 0:
            images = jnp.pad(images, ((0, 0), (0, 0), (left, left), (0, 0)),
                             constant_values=fill_value)
    shape = (images.shape[0], target_height, target_width, images.shape[3])
    return jax.image.resize(images, shape, method=interpolation, antialias=antialias)


def affine_transform(images, transforms, interpolation="bilinear", fill_mode="reflect",
                     fill_value=0.0, projective=False):
    """Keras's `ops.image.affine_transform` on NHWC: output pixel (x, y) reads the input at
    (a0 x + a1 y + a2, b0 x + b1 y + b2) / k for each row [a0, a1, a2, b0, b1, b2, c0, c1] of
    `transforms` (one per image), interpolated by `jax.scipy.ndimage.map_coordinates`. k is 1
    (Keras's affine_transform ignores c0, c1) unless `projective` (its perspective_transform)."""
    height, width = images.shape[1], images.shape[2]
    rows, cols = jnp.meshgrid(jnp.arange(height, dtype=transforms.dtype),
                              jnp.arange(width, dtype=transforms.dtype), indexing="ij")
    order = AFFINE_INTERPOLATIONS[interpolation]

    def one_image(image, t):
        k = t[6] * cols + t[7] * rows + 1.0 if projective else 1.0
        src_cols = (t[0] * cols + t[1] * rows + t[2]) / k
        src_rows = (t[3] * cols + t[4] * rows + t[5]) / k

        def one_channel(channel):
            return jax.scipy.ndimage.map_coordinates(
                channel, (src_rows, src_cols), order=order, mode=fill_mode, cval=fill_value)
        return jax.vmap(one_channel, in_axes=2, out_axes=2)(image)
    return jax.vmap(one_image)(images, transforms)


def affine_matrix(angle, translate_x, translate_y, scale, shear_x, shear_y, height, width,
                  center_x=0.5, center_y=0.5):
    """Keras's scale * shear * rotation about the centre, angles in degrees, as (B, 8) rows."""
    to_radians = math.pi / 180.0
    angle = angle * to_radians
    shear_x = jnp.tan(shear_x * to_radians)
    shear_y = jnp.tan(shear_y * to_radians)
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = jnp.zeros_like(a0)
    return jnp.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def rgb_to_grayscale(images):
    """tf.image.rgb_to_grayscale's weights, keeping one channel (NHWC)."""
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], images.dtype)
    return jnp.tensordot(images, weights, axes=(-1, -1))[..., None]


def rgb_to_hsv(images):
    """dm_pix's RGB -> HSV, as Keras's JAX backend (channels last, floats)."""
    eps = jnp.finfo(images.dtype).eps
    images = jnp.where(jnp.abs(images) < eps, 0.0, images)
    r, g, b = images[..., 0], images[..., 1], images[..., 2]
    value = jnp.maximum(jnp.maximum(r, g), b)
    range_ = value - jnp.minimum(jnp.minimum(r, g), b)
    saturation = jnp.where(value > 0, range_ / jnp.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * jnp.where(range_ > 0, range_, 1.0))
    hue = jnp.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = jnp.where(value == r, norm * (g - b), hue)
    hue = jnp.where(range_ > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images):
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    dh = jnp.mod(hue, 1.0) * 6.0
    dr = jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0)
    db = jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)
    one_minus_s = 1.0 - saturation
    return jnp.stack([value * (one_minus_s + saturation * d) for d in (dr, dg, db)], axis=-1)

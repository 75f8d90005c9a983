"""The image ops of `keras.ops.image` on jax.image / jax.scipy.ndimage.

`data_format=None` means `config.image_data_format()`; images are rank 3 (one image) or rank 4
(a batch). Interpolation names are Keras's.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import config
from jkeras.ops import core, nn
from jkeras.ops.core import convert_to_tensor
from jkeras.random.seed_generator import draw_seed

_t = convert_to_tensor

__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
           "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = {"constant", "nearest", "wrap", "mirror", "reflect"}
_SCALE_METHODS = {"linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic", "lanczos3",
                  "lanczos5"}


def _check_rank(images, name="images"):
    if images.ndim not in (3, 4):
        raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received input with shape: {name}.shape={images.shape}")


def _check_interpolation(interpolation):
    if interpolation not in _ORDERS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{set(_ORDERS)}. Received: interpolation={interpolation}")


def _check_fill_mode(fill_mode):
    if fill_mode not in _FILL_MODES:
        raise ValueError("Invalid value for argument `fill_mode`. Expected of one "
                         f"{_FILL_MODES}. Received: fill_mode={fill_mode}")


def _float_images(images, data_format):
    images = _t(images)
    _check_rank(images)
    if not config.is_float_dtype(images.dtype):
        raise ValueError("Invalid images dtype: expected float dtype. "
                         f"Received: images.dtype={config.standardize_dtype(images.dtype)}")
    return images, (-1 if config.standardize_data_format(data_format) == "channels_last" else -3)


def rgb_to_grayscale(images, data_format=None):
    """Luma `0.2989 R + 0.5870 G + 0.1140 B`, keeping a channel axis of size 1."""
    images = _t(images)
    axis = -1 if config.standardize_data_format(data_format) == "channels_last" else -3
    _check_rank(images)
    if images.shape[axis] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
                         f"Received input with shape: images.shape={images.shape}")
    if images.shape[axis] == 1:
        return images
    dtype = images.dtype
    images = images.astype(config.result_type(images.dtype, float))
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], dtype=images.dtype)
    gray = jnp.tensordot(images, weights, axes=(axis, -1))
    return jnp.expand_dims(gray, axis=axis).astype(dtype)


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV in [0, 1] (float images)."""
    images, axis = _float_images(images, data_format)
    eps = jnp.finfo(images.dtype).eps
    images = jnp.where(jnp.abs(images) < eps, 0.0, images)
    r, g, b = (jnp.squeeze(p, axis) for p in jnp.split(images, 3, axis))
    value = jnp.maximum(jnp.maximum(r, g), b)
    range_ = value - jnp.minimum(jnp.minimum(r, g), b)
    safe_value = jnp.where(value > 0, value, 1.0)
    safe_range = jnp.where(range_ > 0, range_, 1.0)
    saturation = jnp.where(value > 0, range_ / safe_value, 0.0)
    norm = 1.0 / (6.0 * safe_range)
    hue = jnp.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = jnp.where(value == r, norm * (g - b), hue)
    hue = jnp.where(range_ > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=axis)


def hsv_to_rgb(images, data_format=None):
    """HSV in [0, 1] to RGB (float images)."""
    images, axis = _float_images(images, data_format)
    h, s, v = (jnp.squeeze(p, axis) for p in jnp.split(images, 3, axis))
    dh = jnp.mod(h, 1.0) * 6.0
    dr = jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0)
    db = jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)
    base = 1.0 - s
    return jnp.stack([v * (base + s * dr), v * (base + s * dg), v * (base + s * db)], axis=axis)


def _hw_axes(ndim, data_format):
    return (ndim - 3, ndim - 2) if data_format == "channels_last" else (ndim - 2, ndim - 1)


def _pad_to_aspect(images, target_h, target_w, fill_value, data_format):
    ha, wa = _hw_axes(images.ndim, data_format)
    height, width = images.shape[ha], images.shape[wa]
    pad_h = max(height, int(float(width * target_h) / target_w))
    pad_w = max(width, int(float(height * target_w) / target_h))
    top = int(float(pad_h - height) / 2)
    left = int(float(pad_w - width) / 2)
    pads = [(0, 0)] * images.ndim
    if top > 0:
        pads[ha] = (top, top)
    elif left > 0:
        pads[wa] = (left, left)
    else:
        return images
    return jnp.pad(images, pads, constant_values=jnp.asarray(fill_value).astype(images.dtype))


def _crop_to_aspect(images, target_h, target_w, data_format):
    ha, wa = _hw_axes(images.ndim, data_format)
    height, width = images.shape[ha], images.shape[wa]
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
    images = jax.lax.slice_in_dim(images, top, top + crop_h, axis=ha)
    return jax.lax.slice_in_dim(images, left, left + crop_w, axis=wa)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to `size = (height, width)` (jax.image.resize; integer images are
    rounded and saturated back to their dtype)."""
    images = _t(images)
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers. Received: size={size}")
    if size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"`size` must have positive height and width. Received: size={size}")
    _check_rank(images)
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` "
                         "can be `True`.")
    data_format = config.standardize_data_format(data_format)
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{RESIZE_INTERPOLATIONS}. Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` "
                         f"is supported. Received: fill_mode={fill_mode}")
    target_h, target_w = size
    original = images
    if crop_to_aspect_ratio:
        images = _crop_to_aspect(images, target_h, target_w, data_format)
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect(images, target_h, target_w, fill_value, data_format)
    shape = list(images.shape)
    ha, wa = _hw_axes(images.ndim, data_format)
    shape[ha], shape[wa] = target_h, target_w
    out = jax.image.resize(images, tuple(shape), method=interpolation, antialias=antialias)
    if out.dtype == original.dtype:
        return out
    if config.is_int_dtype(original.dtype):
        out = jnp.round(out)
    return core.saturate_cast(out, original.dtype)


def _to_nhwc(images, data_format):
    squeeze = images.ndim == 3
    if squeeze:
        images = images[None]
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    return images, squeeze


def _from_nhwc(images, data_format, squeeze):
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 3, 1, 2))
    return images[0] if squeeze else images


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Apply projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]` (output point (x, y)
    samples the input at `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`,
    `k = c0 x + c1 y + 1`)."""
    data_format = config.standardize_data_format(data_format)
    _check_interpolation(interpolation)
    _check_fill_mode(fill_mode)
    images, transform = _t(images), _t(transform)
    _check_rank(images)
    if transform.ndim not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or rank 2 "
                         "(batch of transforms). Received input with shape: "
                         f"transform.shape={transform.shape}")
    images, squeeze = _to_nhwc(images, data_format)
    transform = transform.astype(config.result_type(transform.dtype, float))
    if transform.ndim == 1:
        transform = transform[None]
    batch, height, width, channels = images.shape
    transform = jnp.broadcast_to(transform, (batch, 8))
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    y, x = jnp.meshgrid(jnp.arange(height, dtype=transform.dtype),
                        jnp.arange(width, dtype=transform.dtype), indexing="ij")
    k = c0 * x + c1 * y + 1.0
    src_x = (a0 * x + a1 * y + a2) / k
    src_y = (b0 * x + b1 * y + b2) / k
    chan = jnp.broadcast_to(jnp.arange(channels, dtype=transform.dtype),
                            (batch, height, width, channels))
    coords = jnp.stack([jnp.broadcast_to(src_y[..., None], chan.shape),
                        jnp.broadcast_to(src_x[..., None], chan.shape), chan])

    def sample(image, c):
        return jax.scipy.ndimage.map_coordinates(image, [c[0], c[1], c[2]],
                                                 order=_ORDERS[interpolation], mode=fill_mode,
                                                 cval=fill_value)
    out = jax.vmap(sample, in_axes=(0, 1))(images, coords)
    return _from_nhwc(out, data_format, squeeze)


def homography(start_points, end_points):
    """(B, 8) projective rows mapping `end_points` (B, 4, 2) onto `start_points` (Keras's
    compute_homography_matrix); `perspective_transform` and `RandomPerspective` use them."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    matrix = jnp.concatenate([x_rows, y_rows], axis=1)
    target = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(matrix, target)[..., 0]


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp images so that the quadrilateral `start_points` maps onto `end_points`."""
    data_format = config.standardize_data_format(data_format)
    _check_interpolation(interpolation)
    images, start_points, end_points = _t(images), _t(start_points), _t(end_points)
    _check_rank(images)
    for name, pts in (("start_points", start_points), ("end_points", end_points)):
        if pts.shape[-2:] != (4, 2) or pts.ndim not in (2, 3):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image"
                             f" or (N,4,2) for a batch. Received shape: {pts.shape}")
    if start_points.shape != end_points.shape:
        raise ValueError("start_points and end_points must have the same shape."
                         f" Received start_points.shape={start_points.shape}, "
                         f"end_points.shape={end_points.shape}")
    images, squeeze = _to_nhwc(images, data_format)
    if start_points.ndim == 2:
        start_points, end_points = start_points[None], end_points[None]
    _, height, width, _ = images.shape
    h = homography(start_points.astype("float32"), end_points.astype("float32"))
    x, y = jnp.meshgrid(jnp.arange(width), jnp.arange(height), indexing="xy")
    gx, gy = x.ravel(), y.ravel()

    def coords_of(t):
        denom = t[6] * gx + t[7] * gy + 1.0
        return jnp.stack([(t[3] * gx + t[4] * gy + t[5]) / denom,
                          (t[0] * gx + t[1] * gy + t[2]) / denom])

    def warp(image, coords):
        def channel(img):
            return jax.scipy.ndimage.map_coordinates(
                img, coords, order=_ORDERS[interpolation], mode="constant",
                cval=fill_value).reshape(height, width)
        return jax.vmap(channel)(jnp.moveaxis(image, -1, 0))

    out = jnp.moveaxis(jax.vmap(warp)(images, jax.vmap(coords_of)(h)), 1, -1)
    return _from_nhwc(out, data_format, squeeze)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at `coordinates` (shape `(inputs.ndim, ...)`), order 0 or 1."""
    inputs, coordinates = _t(inputs), _t(coordinates)
    if coordinates.shape[0] != inputs.ndim:
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {inputs.shape} and coordinate leading dim "
                         f"of {coordinates.shape[0]}")
    if coordinates.ndim < 2:
        raise ValueError("Invalid coordinates rank: expected at least rank 2."
                         f" Received input with shape: {coordinates.shape}")
    if fill_mode not in _FILL_MODES:
        raise ValueError("Invalid value for argument `fill_mode`. Expected one of "
                         f"{set(_FILL_MODES)}. Received: fill_mode={fill_mode}")
    if order not in range(2):
        raise ValueError(f"Invalid value for argument `order`. Expected one of {[0, 1]}. "
                         f"Received: order={order}")
    return jax.scipy.ndimage.map_coordinates(inputs, coordinates, order, fill_mode, fill_value)


def _gaussian_1d(size, sigma, dtype):
    x = jnp.arange(size, dtype=dtype) - jnp.asarray((size - 1) / 2, dtype=dtype)
    k = jnp.exp(-0.5 * (x / sigma) ** 2)
    return k / jnp.sum(k)


def _per_channel_conv(images_nchw, kernel_hw):
    channels = images_nchw.shape[1]
    kernel = jnp.tile(kernel_hw[None, None], (channels, 1, 1, 1))
    return jax.lax.conv_general_dilated(images_nchw, kernel, (1, 1), "SAME",
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                        feature_group_count=channels)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a Gaussian kernel (`kernel_size`, `sigma` as (x, y))."""
    data_format = config.standardize_data_format(data_format)
    images = _t(images)
    _check_rank(images)
    dtype = config.standardize_dtype(images.dtype)
    sigma = _t(sigma, dtype=dtype)
    squeeze = images.ndim == 3
    if squeeze:
        images = images[None]
    if data_format == "channels_last":
        images = jnp.transpose(images, (0, 3, 1, 2))
    kernel = jnp.outer(_gaussian_1d(kernel_size[1], sigma[1], dtype),
                       _gaussian_1d(kernel_size[0], sigma[0], dtype))
    out = _per_channel_conv(images, kernel)
    if data_format == "channels_last":
        out = jnp.transpose(out, (0, 2, 3, 1))
    return out[0] if squeeze else out


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Random elastic deformation: pixels move by Gaussian-smoothed noise times `alpha`."""
    data_format = config.standardize_data_format(data_format)
    _check_interpolation(interpolation)
    _check_fill_mode(fill_mode)
    images = _t(images)
    _check_rank(images)
    dtype = images.dtype
    kernel = int(6 * sigma) | 1
    squeeze = images.ndim == 3
    if squeeze:
        images = images[None]
    if data_format == "channels_last":
        batch, height, width, channels = images.shape
        caxis = -1
    else:
        batch, channels, height, width = images.shape
        caxis = 1
    key = draw_seed(seed)
    # Keras's JAX backend draws dx and dy from the same key (so they are equal): kept for parity.
    noise = jax.random.normal(key, shape=(batch, height, width), dtype=dtype) * sigma
    blurred = gaussian_blur(jnp.expand_dims(noise, caxis), kernel_size=(kernel, kernel),
                            sigma=(sigma, sigma), data_format=data_format)
    d = jnp.squeeze(blurred, caxis)
    x, y = jnp.meshgrid(jnp.arange(width), jnp.arange(height))
    dist_x, dist_y = x[None] + alpha * d, y[None] + alpha * d
    order = _ORDERS[interpolation]

    def warp(img, dy, dx):
        return jax.scipy.ndimage.map_coordinates(img, [dy, dx], order, fill_mode, fill_value)

    per_image = jax.vmap(jax.vmap(warp, in_axes=(0, None, None)), in_axes=(0, 0, 0))
    if data_format == "channels_last":
        out = jnp.moveaxis(per_image(jnp.moveaxis(images, -1, 1), dist_y, dist_x), 1, -1)
    else:
        out = per_image(images, dist_y, dist_x)
    out = out.astype(dtype)
    return out[0] if squeeze else out


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """jax.image.scale_and_translate with Keras's argument order."""
    if method not in _SCALE_METHODS:
        raise ValueError("Invalid value for argument `method`. Expected of one "
                         f"{_SCALE_METHODS}. Received: method={method}")
    return jax.image.scale_and_translate(_t(images), output_shape, spatial_dims, _t(scale),
                                         _t(translation), method, antialias)


def sobel_edges(images, data_format=None):
    """Sobel gradients, stacked `(dy, dx)` on a new last axis."""
    data_format = config.standardize_data_format(data_format)
    images = _t(images)
    if data_format != "channels_first":
        images = jnp.transpose(images, (0, 3, 1, 2))
    kx = jnp.asarray([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=images.dtype)
    edges_x = _per_channel_conv(images, kx)
    edges_y = _per_channel_conv(images, kx.T)
    if data_format != "channels_first":
        edges_x = jnp.transpose(edges_x, (0, 2, 3, 1))
        edges_y = jnp.transpose(edges_y, (0, 2, 3, 1))
    return jnp.stack([edges_y, edges_x], axis=-1)


def _nonnegative(**values):
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")


def _box(images, data_format, vertical, horizontal):
    """Validate Keras's (side, side, target) triples; the images and their spatial axes."""
    data_format = config.standardize_data_format(data_format)
    images = _t(images)
    if images.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received: images.shape={images.shape}")
    for triple in (vertical, horizontal):
        if list(triple.values()).count(None) != 1:
            (a, va), (b, vb), (c, vc) = triple.items()
            raise ValueError(f"Must specify exactly two of {a}, {b}, {c}. "
                             f"Received: {a}={va}, {b}={vb}, {c}={vc}")
    _nonnegative(**vertical, **horizontal)
    ha, wa = _hw_axes(images.ndim, data_format)
    return images, ha, wa


def _complete_sum(before, after, inner, outer):
    """Fill the one missing term of `before + inner + after == outer` (a padded or cropped side)."""
    if before is None:
        before = outer - inner - after
    if after is None:
        after = outer - inner - before
    if inner is None:
        inner = outer - before - after
    if outer is None:
        outer = before + inner + after
    return before, after, inner, outer


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad images on the sides, or to a target size."""
    images, ha, wa = _box(
        images, data_format,
        dict(top_padding=top_padding, bottom_padding=bottom_padding, target_height=target_height),
        dict(left_padding=left_padding, right_padding=right_padding, target_width=target_width))
    top_padding, bottom_padding, _, _ = _complete_sum(
        top_padding, bottom_padding, images.shape[ha], target_height)
    left_padding, right_padding, _, _ = _complete_sum(
        left_padding, right_padding, images.shape[wa], target_width)
    _nonnegative(top_padding=top_padding, left_padding=left_padding,
                 right_padding=right_padding, bottom_padding=bottom_padding)
    pads = [(0, 0)] * images.ndim
    pads[ha], pads[wa] = (top_padding, bottom_padding), (left_padding, right_padding)
    return jnp.pad(images, pads)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop images on the sides, or to a target size."""
    images, ha, wa = _box(
        images, data_format,
        dict(top_cropping=top_cropping, bottom_cropping=bottom_cropping,
             target_height=target_height),
        dict(left_cropping=left_cropping, right_cropping=right_cropping,
             target_width=target_width))
    top_cropping, _, target_height, _ = _complete_sum(
        top_cropping, bottom_cropping, target_height, images.shape[ha])
    left_cropping, _, target_width, _ = _complete_sum(
        left_cropping, right_cropping, target_width, images.shape[wa])
    _nonnegative(top_cropping=top_cropping, target_height=target_height,
                 left_cropping=left_cropping, target_width=target_width)
    start = [0] * images.ndim
    shape = list(images.shape)
    start[ha], start[wa] = top_cropping, left_cropping
    shape[ha], shape[wa] = target_height, target_width
    return core.slice(images, start, shape)


def _patches(images, size, strides, dilation_rate, padding, data_format, n):
    data_format = config.standardize_data_format(data_format)
    size = (size,) * n if isinstance(size, int) else tuple(size)
    images = _t(images)
    unbatched = images.ndim == n + 1
    if unbatched:
        images = images[None]
    channels = images.shape[-1] if data_format == "channels_last" else images.shape[1]
    out_dim = int(np.prod(size)) * channels
    kernel = jnp.reshape(jnp.eye(out_dim, dtype=images.dtype), (*size, channels, out_dim))
    out = nn.conv(images, kernel, strides=strides or size, padding=padding,
                  data_format=data_format, dilation_rate=dilation_rate)
    return out[0] if unbatched else out


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Patches of `size` flattened into the channel axis (3-D volumes for a 3-tuple `size`)."""
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError("Invalid `size` argument. Expected an int or a tuple. "
                            f"Received: size={size} of type {type(size).__name__}")
        if len(size) not in (2, 3):
            raise ValueError("Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    return _patches(images, size, strides, dilation_rate, padding, data_format, 2)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """3-D patches of `size` flattened into the channel axis."""
    if isinstance(strides, int):
        strides = (strides,) * 3
    if strides is not None and len(strides) != 3:
        raise ValueError(f"Invalid `strides` argument. Got: {strides}")
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, 3)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity index (Gaussian window, valid padding), averaged per image."""
    data_format = config.standardize_data_format(data_format)
    image1, image2 = _t(image1), _t(image2)
    original = image1.dtype
    dtype = config.result_type(image1.dtype, float)
    image1, image2 = image1.astype(dtype), image2.astype(dtype)
    _check_rank(image1, "image1")
    _check_rank(image2, "image2")
    unbatched = image1.ndim == 3
    if unbatched:
        image1, image2 = image1[None], image2[None]
    if data_format == "channels_first":
        image1, image2 = jnp.moveaxis(image1, 1, -1), jnp.moveaxis(image2, 1, -1)
    batch, height, width, channels = image1.shape
    x = jnp.arange(filter_size, dtype=dtype) - (filter_size - 1) / 2.0
    g = jnp.exp(-(x ** 2) / (2.0 * filter_sigma ** 2))
    g = g / jnp.sum(g)
    kernel = jnp.outer(g, g).reshape(filter_size, filter_size, 1, 1)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2

    def blur(v):
        return nn.conv(v, kernel, strides=1, padding="valid", data_format="channels_last")

    a = jnp.transpose(image1, (0, 3, 1, 2)).reshape(-1, height, width, 1)
    b = jnp.transpose(image2, (0, 3, 1, 2)).reshape(-1, height, width, 1)
    mu1, mu2 = blur(a), blur(b)
    s11 = blur(a * a) - mu1 * mu1
    s22 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * s12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2))
    per_image = jnp.mean(jnp.mean(ssim_map, axis=(1, 2, 3)).reshape(batch, channels), axis=-1)
    if unbatched:
        per_image = per_image[0]
    return per_image.astype(original)

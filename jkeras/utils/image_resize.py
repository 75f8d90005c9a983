"""Image resizing on the host in NumPy, as `tf.image.resize` (half-pixel centers, no
antialiasing) and Keras's `smart_resize` crop / `resize_with_pad` padding.

Each axis is resized by a weight matrix: `out = Wh @ image @ Ww.T` per channel. "nearest" and
"area" have TF's own rules; the other methods evaluate TF's sampling kernels at the half-pixel
sample positions and renormalise each row (TF's `scale_and_translate`; for "bilinear" and
"bicubic" this is also what `resize_bilinear` / `resize_bicubic` compute).
"""
import math

import numpy as np

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                  "mitchellcubic")


def _keys_cubic(x, a=-0.5):
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def _lanczos(radius):
    def kernel(x):
        px = np.pi * x
        with np.errstate(divide="ignore", invalid="ignore"):
            v = radius * np.sin(px) * np.sin(px / radius) / (px * px)
        return np.where(x > radius, 0.0, np.where(px < 1e-3, 1.0, v))
    return kernel


def _gaussian(x, radius=1.5, sigma=0.5):
    return np.where(x >= radius, 0.0, np.exp(-x * x / (2.0 * sigma * sigma)))


def _mitchell(x):
    return np.where(x >= 2, 0.0, np.where(
        x >= 1, (((-7.0 / 18.0) * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0,
        ((7.0 / 6.0) * x - 2.0) * x * x + 8.0 / 9.0))


_KERNELS = {
    "bilinear": lambda x: np.maximum(0.0, 1.0 - x),
    "bicubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
    "gaussian": _gaussian,
    "mitchellcubic": _mitchell,
}


def _weights(in_size, out_size, method):
    scale = in_size / out_size
    out = np.arange(out_size)
    if method == "nearest":
        w = np.zeros((out_size, in_size))
        idx = np.minimum(np.floor((out + 0.5) * scale).astype(np.int64), in_size - 1)
        w[out, idx] = 1.0
        return w
    if method == "area":
        lo, hi = out * scale, (out + 1) * scale
        j = np.arange(in_size)
        overlap = np.clip(np.minimum(j[None] + 1, hi[:, None]) - np.maximum(j[None], lo[:, None]),
                          0, None)
        return overlap / scale
    if method == "bicubic":
        return _bicubic_weights(in_size, out_size)
    sample = (out + 0.5) * scale - 0.5
    w = _KERNELS[method](np.abs(sample[:, None] - np.arange(in_size)[None, :]))
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps, w / np.where(total, total, 1), 0)
    return w


def _bicubic_weights(in_size, out_size):
    """TF's `resize_bicubic` (half-pixel, Keys a=-0.5): the fractional offset is quantised to
    1/1024 (TF reads the weights from a 1024-entry table); taps outside the image get weight 0
    and the four weights are renormalised."""
    f = np.float32
    scale = f(in_size) / f(out_size)
    sample = (np.arange(out_size, dtype=f) + f(0.5)) * scale - f(0.5)
    base = np.floor(sample).astype(np.int64)
    dq = np.rint((sample - base) * 1024).astype(np.float64) / 1024
    w = np.zeros((out_size, in_size))
    for tap, dist in ((-1, 1 + dq), (0, dq), (1, 1 - dq), (2, 2 - dq)):
        idx = base + tap
        ok = (idx >= 0) & (idx < in_size)
        rows = np.arange(out_size)[ok]
        w[rows, idx[ok]] += _keys_cubic(dist[ok])
    total = w.sum(axis=1, keepdims=True)
    return np.where(np.abs(total) > 0, w / np.where(total, total, 1), 0)


def resize(image, size, interpolation="bilinear"):
    """(h, w, c) array -> (size[0], size[1], c) float32 ("nearest": the input dtype, as TF)."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    h, w = image.shape[:2]
    th, tw = int(size[0]), int(size[1])
    if interpolation == "nearest":
        rows = _weights(h, th, "nearest").argmax(axis=1)
        cols = _weights(w, tw, "nearest").argmax(axis=1)
        return image[rows][:, cols]
    wh = _weights(h, th, interpolation).astype(np.float32)
    ww = _weights(w, tw, interpolation).astype(np.float32)
    x = image.astype(np.float32)
    return np.einsum("ih,hwc,jw->ijc", wh, x, ww, optimize=True).astype(np.float32)


def crop_box(height, width, size):
    """Keras's `smart_resize` crop: the largest centred box with the target aspect ratio.
    -> (top, left, crop_height, crop_width)"""
    th, tw = size
    crop_h = max(min(height, int(float(width * th) / tw)), 1)
    crop_w = max(min(width, int(float(height * tw) / th)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def smart_resize(image, size, interpolation="bilinear"):
    top, left, ch, cw = crop_box(image.shape[0], image.shape[1], size)
    return resize(image[top:top + ch, left:left + cw], size, interpolation)


def resize_with_pad(image, size, interpolation="bilinear"):
    """`tf.image.resize_with_pad`: fit inside `size` keeping the aspect ratio, zero-pad the
    rest (centred)."""
    h, w = image.shape[:2]
    th, tw = int(size[0]), int(size[1])
    f = np.float32
    ratio = max(f(w) / f(tw), f(h) / f(th))
    rhf, rwf = f(h) / ratio, f(w) / ratio
    rh, rw = int(math.floor(rhf)), int(math.floor(rwf))
    top = max(0, int(math.floor((f(th) - rhf) / 2)))
    left = max(0, int(math.floor((f(tw) - rwf) / 2)))
    resized = resize(image, (rh, rw), interpolation)
    out = np.zeros((th, tw) + image.shape[2:], resized.dtype)
    out[top:top + rh, left:left + rw] = resized
    return out

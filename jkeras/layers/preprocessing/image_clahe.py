"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE), Keras's algorithm: per-tile histograms
of the 0..255 values, clipped at `clip_limit` with the excess spread evenly, their normalised
CDFs interpolated bilinearly between tile centres. Deterministic: applied in training and at
inference, as in Keras. Histograms are scatter-adds (Keras uses one_hot, which needs 256x the
image's memory); the counts, and so the outputs, are the same."""
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import BaseImagePreprocessingLayer
from jkeras.layers.preprocessing.image_color import to_range


def _tile_cdfs(padded, grid, tile, clip_limit):
    """(batch, grid_h + 2, grid_w + 2, channels, 256) normalised CDFs, the border repeated."""
    (gh, gw), (th, tw) = grid, tile
    b, c = padded.shape[0], padded.shape[3]
    tiles = padded.reshape(b, gh, th, gw, tw, c).transpose(0, 1, 3, 5, 2, 4)
    values = jnp.clip(tiles.reshape(-1, th * tw).astype(jnp.int32), 0, 255)
    rows = values.shape[0]
    flat = (jnp.arange(rows, dtype=jnp.int32)[:, None] * 256 + values).reshape(-1)
    hists = jnp.zeros(rows * 256, jnp.float32).at[flat].add(1.0).reshape(b, gh, gw, c, 256)
    if clip_limit > 0:
        limit = jnp.asarray(clip_limit * (th * tw) / 256.0, hists.dtype)
        clipped = jnp.clip(hists, 0, limit)
        hists = clipped + jnp.sum(hists - clipped, axis=-1, keepdims=True) / 256.0
    cdf = jnp.cumsum(hists, axis=-1)
    cdf_min = jnp.min(cdf, axis=-1, keepdims=True)
    denominator = jnp.asarray(th * tw, cdf.dtype) - cdf_min
    denominator = jnp.where(denominator == 0, jnp.ones_like(denominator), denominator)
    cdf = jnp.clip((cdf - cdf_min) * 255.0 / denominator, 0, 255)
    cdf = jnp.concatenate([cdf[:, :1], cdf, cdf[:, -1:]], axis=1)
    return jnp.concatenate([cdf[:, :, :1], cdf, cdf[:, :, -1:]], axis=2)


def _corners(size, tile, grid):
    pos = (jnp.arange(size, dtype=jnp.float32) - tile / 2.0) / tile + 1.0
    low = jnp.floor(pos)
    weight = pos - low
    low_i = jnp.clip(low, 0, grid + 1).astype(jnp.int32)
    high_i = jnp.clip(low + 1.0, 0, grid + 1).astype(jnp.int32)
    return low_i, high_i, weight


def clahe(images, clip_limit, grid):
    """NHWC float images in [0, 255] -> equalised, same shape."""
    b, h, w, c = images.shape
    gh, gw = grid
    th, tw = -(-h // gh), -(-w // gw)
    pad = ((0, 0), (0, th * gh - h), (0, tw * gw - w), (0, 0))
    padded = jnp.pad(images, pad, mode="symmetric") if any(p[1] for p in pad) else images
    cdf = _tile_cdfs(padded, (gh, gw), (th, tw), clip_limit)
    y0, y1, wy = _corners(th * gh, th, gh)
    x0, x1, wx = _corners(tw * gw, tw, gw)
    pixels = jnp.clip(padded, 0, 255).astype(jnp.int32)
    bi = jnp.arange(b)[:, None, None, None]
    ci = jnp.arange(c)[None, None, None, :]
    ys, xs = (y0[None, :, None, None], y1[None, :, None, None]), \
        (x0[None, None, :, None], x1[None, None, :, None])
    wy, wx = wy[None, :, None, None], wx[None, None, :, None]

    def at(y, x):
        return cdf[bi, y, x, ci, pixels]
    top = at(ys[0], xs[0]) * (1.0 - wx) + at(ys[0], xs[1]) * wx
    bottom = at(ys[1], xs[0]) * (1.0 - wx) + at(ys[1], xs[1]) * wx
    return (top * (1.0 - wy) + bottom * wy)[:, :h, :w, :]


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    random = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2 or not all(
                isinstance(g, int) and g > 0 for g in tile_grid_size):
            raise ValueError("`tile_grid_size` must be a tuple of 2 positive integers "
                             f"(height, width). Received: tile_grid_size={tile_grid_size}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range, self.clip_limit = value_range, clip_limit
        self.tile_grid_size = tile_grid_size

    def _transform(self, images, key):
        dtype = images.dtype
        x = to_range(images.astype(jnp.float32), self.value_range, (0, 255))
        x = clahe(x, self.clip_limit, tuple(self.tile_grid_size))
        return to_range(x, (0, 255), self.value_range).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}

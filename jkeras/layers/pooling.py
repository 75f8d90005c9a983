"""Pooling: Max/AveragePooling1D/2D/3D (one `lax.reduce_window` each) and the global poolings.

Keras's "same" average pooling divides by the number of real (unpadded) values in each window.
"""
import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import conv_utils as cu


def _tiles(x, axes, pool):
    """Crop `x` to whole windows and split each pooled axis into (windows, pool)."""
    x = x[tuple(slice(0, x.shape[a] // pool[axes.index(a)] * pool[axes.index(a)])
                if a in axes else slice(None) for a in range(x.ndim))]
    shape, window_axes = [], []
    for a, size in enumerate(x.shape):
        if a in axes:
            p = pool[axes.index(a)]
            shape += [size // p, p]
            window_axes.append(len(shape) - 1)
        else:
            shape.append(size)
    return x.reshape(shape), tuple(window_axes)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _tiled_max_pool(x, axes, pool):
    """Max pooling with strides == pool_size and "valid" padding (Keras's default).

    Same values and gradient as `lax.reduce_window`, whose gradient (select_and_scatter) runs
    ~5x slower on XLA CPU: this backward is elementwise."""
    tiles, window_axes = _tiles(x, axes, pool)
    return tiles.max(axis=window_axes)


def _tiled_max_pool_fwd(x, axes, pool):
    y = _tiled_max_pool(x, axes, pool)
    return y, (x, y)


def _tiled_max_pool_bwd(axes, pool, residuals, g):
    x, y = residuals
    tiles, window_axes = _tiles(x, axes, pool)
    eq = tiles == jnp.expand_dims(y, window_axes)
    # The gradient goes to the FIRST max of each window in row-major order (as TF and lax do):
    # idx = number of maxima at or before each position; keep idx == 1.
    hits = eq.astype(jnp.int32)
    idx = jnp.cumsum(hits, axis=window_axes[-1])
    total = jnp.sum(hits, axis=window_axes[-1], keepdims=True)
    for a in reversed(window_axes[:-1]):
        idx = idx + jnp.cumsum(total, axis=a) - total
        total = jnp.sum(total, axis=a, keepdims=True)
    gx = jnp.where(eq & (idx == 1), jnp.expand_dims(g, window_axes), 0).astype(x.dtype)
    gx = gx.reshape([s // pool[axes.index(a)] * pool[axes.index(a)] if a in axes else s
                     for a, s in enumerate(x.shape)])
    return (jnp.pad(gx, [(0, x.shape[a] - gx.shape[a]) for a in range(x.ndim)]),)


_tiled_max_pool.defvjp(_tiled_max_pool_fwd, _tiled_max_pool_bwd)


class _Pooling(Layer):
    _builds_at_init = True  # Keras: built once constructed
    rank = None
    mode = None

    def _init_pooling(self, pool_size, strides, padding, data_format, kwargs):
        with cu.arg_errors(type(self).__name__):
            self.pool_size = cu.standardize_tuple(pool_size, self.rank, "pool_size")
            self.strides = cu.standardize_tuple(
                self.pool_size if strides is None else strides, self.rank, "strides")
            if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
                raise ValueError("Argument `padding` must be either 'valid' or 'same'. "
                                 f"Received: padding={padding!r}")
            self.padding = padding.lower()
            self.data_format = cu.standardize_data_format(data_format)
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        cu.check_rank(self, tuple(input_shape), self.rank + 2)
        cu.pool_output_shape(self, tuple(input_shape))

    def compute_output_shape(self, input_shape):
        return cu.pool_output_shape(self, tuple(input_shape))

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}

    def _window(self, values):
        """Spread spatial `values` over all axes (1 for batch and channels)."""
        if self.data_format == "channels_last":
            return (1,) + tuple(values) + (1,)
        return (1, 1) + tuple(values)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        self.compute_output_shape(x.shape)
        window, strides = self._window(self.pool_size), self._window(self.strides)
        padding = self.padding.upper()
        if self.mode == "max" and self.padding == "valid" and self.strides == self.pool_size \
                and jnp.issubdtype(x.dtype, jnp.floating):
            first = 1 if self.data_format == "channels_last" else 2
            return _tiled_max_pool(x, tuple(range(first, first + self.rank)), self.pool_size)
        if self.mode == "max":
            # max's identity as init lets JAX use (and differentiate) its max-pool primitive
            lowest = (-jnp.inf if jnp.issubdtype(x.dtype, jnp.floating)
                      else jnp.iinfo(x.dtype).min)
            return lax.reduce_window(x, lowest, lax.max, window, strides, padding)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(jnp.float32)
        summed = lax.reduce_window(x, 0.0, lax.add, window, strides, padding)
        if self.padding == "valid":
            return summed / math.prod(self.pool_size)
        # Count real values per window on a ones array without batch/channel axes; XLA folds it.
        ones = jnp.ones(self._window(cu.spatial(x.shape, self.data_format)), x.dtype)
        counts = lax.reduce_window(ones, 0.0, lax.add, window, strides, padding)
        return summed / counts


class _MaxPooling(_Pooling):
    """Max over each window of `pool_size` (default 2), moved by `strides` (default
    `pool_size`)."""
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        self._init_pooling(pool_size, strides, padding, data_format, kwargs)


class _AveragePooling(_Pooling):
    """Mean over each window of `pool_size` (required, as in Keras 3), moved by `strides`
    (default `pool_size`); "same" padding divides by the real values in each window."""
    mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        self._init_pooling(pool_size, strides, padding, data_format, kwargs)


MaxPooling1D, MaxPooling2D, MaxPooling3D = cu.rank_classes(_MaxPooling, "MaxPooling{}D")
AveragePooling1D, AveragePooling2D, AveragePooling3D = cu.rank_classes(_AveragePooling,
                                                                       "AveragePooling{}D")


class _GlobalPooling(Layer):
    _builds_at_init = True  # Keras: built once constructed
    rank = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        with cu.arg_errors(type(self).__name__):
            self.data_format = cu.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        cu.check_rank(self, tuple(input_shape), self.rank + 2)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        keep = (1,) * self.rank if self.keepdims else ()
        return cu.with_spatial(tuple(input_shape), self.data_format, keep)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class _GlobalAverage(_GlobalPooling):
    """Mean over the spatial axes (kept as size 1 with `keepdims=True`)."""

    def call(self, inputs):
        return jnp.mean(jnp.asarray(inputs), axis=self._axes(), keepdims=self.keepdims)


class _GlobalMax(_GlobalPooling):
    """Max over the spatial axes (kept as size 1 with `keepdims=True`)."""

    def call(self, inputs):
        return jnp.max(jnp.asarray(inputs), axis=self._axes(), keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over steps; a (batch, steps) mask excludes masked steps, as Keras."""
    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs, mask=None):
        x = jnp.asarray(inputs)
        if mask is None:
            return jnp.mean(x, axis=self._axes(), keepdims=self.keepdims)
        m = jnp.expand_dims(jnp.asarray(mask, bool), 2 if self.data_format == "channels_last"
                            else 1)
        total = jnp.sum(jnp.where(m, x, 0), axis=self._axes(), keepdims=self.keepdims)
        return total / jnp.sum(m.astype(x.dtype), axis=self._axes(), keepdims=self.keepdims)


GlobalAveragePooling2D, GlobalAveragePooling3D = cu.rank_classes(
    _GlobalAverage, "GlobalAveragePooling{}D", ranks=(2, 3))
GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D = cu.rank_classes(
    _GlobalMax, "GlobalMaxPooling{}D")


# Keras's aliases
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)

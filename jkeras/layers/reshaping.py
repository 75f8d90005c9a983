"""Reshaping layers: Permute, RepeatVector, UpSampling1D/2D/3D, ZeroPadding1D/2D/3D,
Cropping1D/2D/3D.
(Reshape and Flatten live in core.py.)"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import conv_utils as cu


class _Weightless(Layer):
    """Fixed-rank, weightless: the rank check runs in `build`, before any array op."""
    ndim = None

    def build(self, input_shape):
        cu.check_rank(self, tuple(input_shape), self.ndim)
        self.compute_output_shape(tuple(input_shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class Permute(_Weightless):
    """Permute the non-batch axes; `dims` are 1-based, as Keras."""

    def __init__(self, dims, **kwargs):
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.dims = tuple(int(d) for d in dims)
        super().__init__(**kwargs)
        self.ndim = len(self.dims) + 1
        self.input_spec = InputSpec(ndim=self.ndim)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, inputs):
        return jnp.transpose(jnp.asarray(inputs), (0,) + self.dims)


class RepeatVector(_Weightless):
    """(batch, features) -> (batch, n, features)."""
    ndim = 2

    def __init__(self, n, **kwargs):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"RepeatVector: expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"RepeatVector: argument `n` should be a positive integer. "
                             f"Received: n={n}")
        self.n = int(n)
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=2)

    def get_config(self):
        return {**super().get_config(), "n": self.n}

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        x = jnp.asarray(inputs)
        return jnp.broadcast_to(x[:, None, :], (x.shape[0], self.n, x.shape[1]))


class UpSampling1D(_Weightless):
    """Repeat each step `size` times."""
    ndim = 3

    def __init__(self, size=2, **kwargs):
        with cu.arg_errors("UpSampling1D"):
            self.size = cu.positive_int(size, "size")
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self):
        return {**super().get_config(), "size": self.size}

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def call(self, inputs):
        return jnp.repeat(jnp.asarray(inputs), self.size, axis=1)


class _UpSampling(_Weightless):
    def compute_output_shape(self, input_shape):
        sizes = [None if s is None else s * f
                 for s, f in zip(cu.spatial(input_shape, self.data_format), self.size)]
        return cu.with_spatial(tuple(input_shape), self.data_format, sizes)

    def _nearest(self, x):
        first = 1 if self.data_format == "channels_last" else 2
        for i, factor in enumerate(self.size):
            x = jnp.repeat(x, factor, axis=first + i)
        return x


class UpSampling2D(_UpSampling):
    """Scale rows and columns by `size`: "nearest" repeats, "bilinear" is
    `jax.image.resize` (half-pixel centres, as Keras's resize)."""
    ndim = 4

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        with cu.arg_errors("UpSampling2D"):
            self.size = cu.standardize_tuple(size, 2, "size")
            self.data_format = cu.standardize_data_format(data_format)
            method = str(interpolation).lower()
            if method not in ("nearest", "bilinear"):
                raise ValueError("Invalid value for argument `interpolation`. Expected one of "
                                 f"('nearest', 'bilinear'). Received: interpolation="
                                 f"{interpolation!r}")
        self.interpolation = method
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=4)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}

    def call(self, inputs):
        x = jnp.asarray(inputs)
        if self.interpolation == "nearest":
            return self._nearest(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(jnp.float32)
        return jax.image.resize(x, self.compute_output_shape(x.shape), "bilinear",
                                antialias=False)


class UpSampling3D(_UpSampling):
    """Repeat each voxel `size` times along depth, rows and columns (nearest neighbour)."""
    ndim = 5

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        with cu.arg_errors("UpSampling3D"):
            self.size = cu.standardize_tuple(size, 3, "size")
            self.data_format = cu.standardize_data_format(data_format)
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=5)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}

    def call(self, inputs):
        return self._nearest(jnp.asarray(inputs))


def _pairs(value, name, rank):
    """Keras's int | rank ints | rank (before, after) pairs -> rank pairs (>= 0)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((int(value), int(value)),) * rank
    if rank == 1:
        return (cu.standardize_tuple(value, 2, name, allow_zero=True),)
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints (symmetric), "
                         f"or a tuple of {rank} tuples of 2 ints ((before, after), ...). "
                         f"Received: {name}={value}.")
    ordinals = ("1st", "2nd", "3rd")
    return tuple(cu.standardize_tuple(v, 2, f"{ordinals[i]} entry of {name}", allow_zero=True)
                 for i, v in enumerate(value))


class _SpatialPadCrop(_Weightless):
    rank = None
    arg = None

    def __init__(self, amount, data_format=None, **kwargs):
        with cu.arg_errors(type(self).__name__):
            self.data_format = cu.standardize_data_format(data_format)
            setattr(self, self.arg, _pairs(amount, self.arg, self.rank))
        super().__init__(**kwargs)
        self.ndim = self.rank + 2
        self.input_spec = InputSpec(ndim=self.ndim)

    def get_config(self):
        pairs = getattr(self, self.arg)
        # Keras's 1D layers hold one flat (before, after) pair
        amount = tuple(pairs[0]) if self.rank == 1 else tuple(tuple(p) for p in pairs)
        return {**super().get_config(), self.arg: amount, "data_format": self.data_format}

    def _sizes(self, input_shape, sign):
        return [None if s is None else s + sign * (a + b)
                for s, (a, b) in zip(cu.spatial(input_shape, self.data_format),
                                     getattr(self, self.arg))]


class _ZeroPadding(_SpatialPadCrop):
    arg = "padding"

    def compute_output_shape(self, input_shape):
        return cu.with_spatial(tuple(input_shape), self.data_format, self._sizes(input_shape, 1))

    def call(self, inputs):
        x = jnp.asarray(inputs)
        pads = [(0, 0)] + list(self.padding)
        pads = pads + [(0, 0)] if self.data_format == "channels_last" else [(0, 0)] + pads
        return jnp.pad(x, pads)


class _Cropping(_SpatialPadCrop):
    arg = "cropping"

    def compute_output_shape(self, input_shape):
        sizes = self._sizes(input_shape, -1)
        if any(s is not None and s <= 0 for s in sizes):
            raise ValueError(f"{type(self).__name__} '{self.name}': values in `cropping` argument "
                             "should be smaller than the corresponding spatial dimension of the "
                             f"input. Received: input_shape={tuple(input_shape)}, "
                             f"cropping={self.cropping}")
        return cu.with_spatial(tuple(input_shape), self.data_format, sizes)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        self.compute_output_shape(x.shape)
        first = 1 if self.data_format == "channels_last" else 2
        index = [slice(None)] * x.ndim
        for axis, (a, b) in enumerate(self.cropping, start=first):
            index[axis] = slice(a, x.shape[axis] - b)
        return x[tuple(index)]


class ZeroPadding1D(_ZeroPadding):
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping1D(_Cropping):
    """Crops axis 1 (Keras's Cropping1D has no data_format)."""
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]  # Keras's Cropping1D has none
        return config


class Cropping2D(_Cropping):
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping3D(_Cropping):
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)

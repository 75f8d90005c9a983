"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D: pool to a fixed output size.

Output bin i of an axis of length L pooled to n covers input positions
[floor(i * L / n), ceil((i + 1) * L / n)), as Keras 3 (and PyTorch). Both reductions are
separable over a box, so each spatial axis is pooled in turn.
"""
import math

import jax.numpy as jnp
from jax import lax

from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.core import config
from jkeras.layers import conv_utils as cu

_SHAPE_WORDS = {1: "tuple of 1 integer", 2: "(height, width) tuple",
                3: "(depth, height, width) tuple"}


class _AdaptivePooling(Layer):
    rank = None
    reduce = None

    def __init__(self, output_size, data_format=None, **kwargs):
        rank = self.rank
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * rank
        elif isinstance(output_size, (tuple, list)) and rank == 1:
            if len(output_size) != 1:
                raise ValueError("For 1D input, `output_size` tuple must have length 1. "
                                 f"Received: {output_size}")
            output_size = tuple(output_size)
        elif isinstance(output_size, (tuple, list)) and len(output_size) == rank:
            output_size = tuple(output_size)
        else:
            raise TypeError(f"`output_size` must be an integer or {_SHAPE_WORDS[rank]}. "
                            f"Received: {output_size} of type {type(output_size)}")
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = config.image_data_format() if data_format is None else data_format
        if self.data_format not in {"channels_first", "channels_last"}:
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected "
                             "'channels_first' or 'channels_last'.")
        self.input_spec = InputSpec(ndim=rank + 2)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        first = 1 if self.data_format == "channels_last" else 2
        for i, n in enumerate(self.output_size):
            x = self._pool_axis(x, first + i, n)
        return x

    def _pool_axis(self, x, axis, n):
        length = x.shape[axis]
        bins = [lax.slice_in_dim(x, math.floor(i * length / n),
                                 math.ceil((i + 1) * length / n), axis=axis)
                for i in range(n)]
        return jnp.concatenate([self.reduce(b, axis=axis, keepdims=True) for b in bins],
                               axis=axis)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class _AdaptiveAverage(_AdaptivePooling):
    """Mean over each of `output_size` bins per spatial axis."""
    reduce = staticmethod(jnp.mean)


class _AdaptiveMax(_AdaptivePooling):
    """Max over each of `output_size` bins per spatial axis."""
    reduce = staticmethod(jnp.max)


AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D = cu.rank_classes(
    _AdaptiveAverage, "AdaptiveAveragePooling{}D")
AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D = cu.rank_classes(
    _AdaptiveMax, "AdaptiveMaxPooling{}D")

"""Rescaling: `inputs * scale + offset` in the layer's dtype (e.g. 1/255 for pixels)."""
import jax.numpy as jnp
import numpy as np

from jkeras.core.layer import Layer


class Rescaling(Layer):
    """`scale` and `offset` are scalars or arrays broadcastable to the inputs (channels last)."""

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            try:
                array = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                array = None
            if array is None or not np.all(np.isfinite(array)):
                raise ValueError(f"Layer '{self.name}': `{arg}` must be a finite number or an "
                                 f"array of numbers. Received: {arg}={value!r}")
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        dtype = self.compute_dtype
        x = jnp.asarray(inputs).astype(dtype)
        return x * jnp.asarray(self.scale, dtype) + jnp.asarray(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        from jkeras.core.serialization import serialize_keras_object
        return {**super().get_config(), "scale": serialize_keras_object(self.scale),
                "offset": serialize_keras_object(self.offset)}

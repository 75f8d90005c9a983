"""Embedding: integer indices -> rows of a trainable (input_dim, output_dim) table."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core.layer import Layer
from jkeras.core.serialization import serialize_keras_object
from jkeras.layers.quantized_layers import EmbeddingQuantization


def _check_dim(value, arg, owner):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{owner}: `{arg}` must be a positive integer. Received: {arg}={value!r} "
                         f"(of type {type(value).__name__}).")
    return int(value)


class Embedding(EmbeddingQuantization, Layer):
    """`outputs = embeddings[inputs]`; with mask_zero=True index 0 is padding and the output
    mask is `inputs != 0` (so input_dim should be vocabulary size + 1)."""
    _penalty_weights = {"embeddings": "embeddings"}

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False,
                 quantization_config=None, **kwargs):
        input_dim = _check_dim(input_dim, "input_dim", type(self).__name__)
        output_dim = _check_dim(output_dim, "output_dim", type(self).__name__)
        kwargs.pop("input_length", None)  # deprecated in Keras 3, ignored there too
        super().__init__(**kwargs)
        self.autocast = False  # as Keras: embeddings read in float32, the output cast
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._set_quantization_config(quantization_config)

    def get_config(self):
        from jkeras.layers import config_utils
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": config_utils.initializer(self.embeddings_initializer),
                **config_utils.regularizers_and_constraints(self, "embeddings", activity=True),
                "mask_zero": self.mask_zero,
                "quantization_config": serialize_keras_object(self.quantization_config)}

    def build(self, input_shape=None):
        if self.quantization_mode:
            self._quantized_build((self.input_dim, self.output_dim), self.quantization_mode)
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings")

    def __call__(self, *args, **kwargs):
        if args:  # before the facade turns the inputs into JAX arrays
            self._check_dtype(args[0])
        return super().__call__(*args, **kwargs)

    def _check_dtype(self, inputs):
        dtype = getattr(inputs, "dtype", None)
        dtype = np.asarray(inputs).dtype if dtype is None else np.dtype(dtype)
        if dtype.kind not in "biuf":
            raise TypeError(f"Layer '{self.name}' (Embedding) expects integer indices. "
                            f"Received inputs of dtype {dtype}.")

    def _indices(self, inputs):
        x = inputs if isinstance(inputs, jax.Array) else np.asarray(inputs)
        self._check_dtype(x)
        if isinstance(x, jax.core.Tracer):
            # Under jit the values are unknown: cast like Keras (floats are truncated).
            return x.astype(jnp.int32) if x.dtype.kind in "bf" else x
        values = np.asarray(x)
        if x.dtype.kind == "f":
            whole = np.isfinite(values) & (values == np.round(values))
            if not np.all(whole):
                bad = values[~whole].ravel()[0].item()
                raise ValueError(f"Layer '{self.name}' (Embedding) expects integer indices, but "
                                 f"received a non-integer value {bad!r} in inputs of dtype "
                                 f"{x.dtype}.")
        if values.size and (values.min() < 0 or values.max() >= self.input_dim):
            bad = values[(values < 0) | (values >= self.input_dim)].ravel()[0].item()
            raise ValueError(f"Layer '{self.name}' (Embedding): index {bad!r} is not in "
                             f"[0, {self.input_dim}) (input_dim={self.input_dim}).")
        return jnp.asarray(x, jnp.int32) if x.dtype.kind in "bf" else jnp.asarray(x)

    def call(self, inputs):
        if self.quantization_mode:
            return self._quantized_call(self._indices(inputs))
        return jnp.take(self.embeddings, self._indices(inputs), axis=0).astype(self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return jnp.not_equal(jnp.asarray(inputs), 0)

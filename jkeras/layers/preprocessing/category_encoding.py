"""CategoryEncoding, and the one encoding of integer indices that it and the lookup layers share
(Keras's `encode_categorical_inputs` on the JAX backend). Works on jax.numpy (on the device) and
on NumPy (the host lookup layers): pass the module as `xp`."""
import jax.numpy as jnp

from jkeras.core.layer import Layer

OUTPUT_MODES = ("count", "one_hot", "multi_hot")


def one_hot(indices, depth, dtype, xp):
    """Rows of zeros for indices outside [0, depth), as jax.nn.one_hot."""
    return (indices[..., None] == xp.arange(depth)).astype(dtype)


def encode(indices, output_mode, depth, dtype, count_weights=None, xp=jnp):
    """Integer indices -> "one_hot" / "multi_hot" / "count" vectors of length `depth`; rank-1
    inputs are one sample for multi_hot and count, one index per row for one_hot."""
    indices = xp.asarray(indices)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return one_hot(indices, depth, dtype, xp)
    axis = 1 if indices.ndim > 1 else 0
    encoded = one_hot(indices, depth, dtype, xp)
    if output_mode == "multi_hot":
        return encoded.max(axis=axis)
    if count_weights is not None:
        encoded = encoded * xp.asarray(count_weights, dtype)[..., None]
    return encoded.sum(axis=axis)


def check_sparse(sparse):
    if sparse:
        raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")


class CategoryEncoding(Layer):
    """Integer category indices in [0, num_tokens) -> dense "multi_hot" (default), "one_hot" or
    "count" vectors (with optional `count_weights`). Numeric: runs inside the compiled step."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        check_sparse(sparse)
        super().__init__(**kwargs)
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                             f"Received `count_weights={count_weights}`.")
        return encode(jnp.asarray(inputs), self.output_mode, self.num_tokens, self.dtype,
                      count_weights)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}

"""ReversibleEmbedding: an Embedding that can also project back, `logits = hidden @ table.T`
(`reverse=True`), with the table tied or a separate `reverse_embeddings` weight."""
import jax.numpy as jnp

from jkeras.layers.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """Forward: `embeddings[inputs]`. `call(hidden, reverse=True)`: `hidden @ embeddings.T`
    (or `@ reverse_embeddings` when `tie_weights=False`), cast to `reverse_dtype` first when
    given, then `tanh(logits / logit_soft_cap) * logit_soft_cap` when `logit_soft_cap` is set."""

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 mask_zero=False, reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         mask_zero=mask_zero, **kwargs)
        if not isinstance(tie_weights, bool):
            raise TypeError("`tie_weights` must be a bool. Received: "
                            f"tie_weights={tie_weights!r}")
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or not isinstance(
                logit_soft_cap, (int, float)) or logit_soft_cap <= 0):
            raise ValueError("`logit_soft_cap` must be a positive number or None. Received: "
                             f"logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = tie_weights
        self.reverse_dtype = None if reverse_dtype is None else jnp.dtype(reverse_dtype).name
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer,
                name="reverse_embeddings")

    def __call__(self, *args, **kwargs):
        if kwargs.get("reverse"):  # hidden states, not indices: skip Embedding's dtype check
            return super(Embedding, self).__call__(*args, **kwargs)
        return super().__call__(*args, **kwargs)

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        inputs = jnp.asarray(inputs)
        if inputs.shape[-1] != self.output_dim:
            raise ValueError(f"Layer '{self.name}' (ReversibleEmbedding) with reverse=True "
                             f"expects inputs whose last axis is output_dim={self.output_dim}. "
                             f"Received: inputs.shape={inputs.shape}")
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = inputs.astype(self.reverse_dtype), kernel.astype(self.reverse_dtype)
        logits = jnp.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = jnp.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, previous_mask):
        # The reverse projection (floating hidden states in) carries no mask, as Keras.
        if inputs is not None and jnp.issubdtype(jnp.asarray(inputs).dtype, jnp.floating):
            return None
        return super().compute_mask(inputs, previous_mask)

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}

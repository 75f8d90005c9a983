"""GroupQueryAttention (class GroupedQueryAttention, as Keras: default name and weight-file group
`grouped_query_attention`, configs under the public name GroupQueryAttention): `num_query_heads`
query heads share `num_key_value_heads` key/value heads; EinsumDense projections named query,
key, (gate,) value and attention_output, as Keras 3."""
import math

import jax
import jax.numpy as jnp

from jkeras import initializers
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers.einsum_dense import EinsumDense


_PROJECTION_ARGUMENTS = ("kernel_regularizer", "bias_regularizer", "kernel_constraint",
                         "bias_constraint")


class GroupedQueryAttention(Layer):
    """Called as `gqa(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False)`."""

    supports_masking = True
    # Kernel / bias regularizers and constraints go to the projections; the activity
    # regularizer to them and to this layer's output, as Keras.
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", use_gate=False,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"GroupQueryAttention '{self.name}': `{arg}` must be a positive "
                                 f"integer. Received: {arg}={value!r}")
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`. "
                             f"Received: num_query_heads={num_query_heads}, "
                             f"num_key_value_heads={num_key_value_heads} (layer '{self.name}')")
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        self.head_dim, self.num_query_heads = head_dim, num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        self.sliding_window, self.seed = sliding_window, seed
        self._flash_attention = flash_attention  # XLA picks the kernel; kept for the contract
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        # Tracked in Keras's order: query, key, (gate,) value, then attention_output in build.
        heads = (None, num_query_heads, head_dim)
        kv = (None, num_key_value_heads, head_dim)
        self._query_dense = self._dense("bqm,muh->bquh", heads, "uh", "query")
        self._key_dense = self._dense("bkm,mvh->bkvh", kv, "vh", "key")
        if use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", heads, "uh", "gate",
                                           activation="sigmoid")
        self._value_dense = self._dense("bkm,mvh->bkvh", kv, "vh", "value")
        self._output_dense = None

    def _dense(self, equation, output_shape, bias_axes, name, **kwargs):
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           kernel_initializer=self.kernel_initializer,
                           bias_initializer=self.bias_initializer, dtype=self.dtype_policy,
                           activity_regularizer=self.activity_regularizer,
                           **{name: getattr(self, name) for name in _PROJECTION_ARGUMENTS},
                           **kwargs)

    def build(self, query_shape):
        self._output_dense = self._dense("bquh,uhm->bqm", (None, query_shape[-1]), "m",
                                         "attention_output")

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query, value = jnp.asarray(query), jnp.asarray(value)
        key = value if key is None else jnp.asarray(key)
        if query.shape[-1] != value.shape[-1]:
            raise ValueError("The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {query.shape[-1]}, {value.shape[-1]}. Received: "
                             f"query_shape={query.shape}, value_shape={value.shape}")
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = jnp.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = jnp.repeat(self._value_dense(value), self.num_repeats, axis=2)
        q = q * jnp.asarray(1.0 / math.sqrt(float(self.head_dim)), q.dtype)
        scores = jnp.einsum("bquh,bkuh->buqk", q, k)
        if mask is not None:
            mask = mask[:, None] if mask.ndim == 3 else mask
            scores = jnp.where(mask, scores, jnp.asarray(-1e9, scores.dtype))
        scores = jax.nn.softmax(scores, axis=-1)
        if mask is not None and (self.dropout > 0 or return_attention_scores):
            # Keras's explicit path (its Softmax layer) zeroes masked weights; its fused path
            # (no dropout, no scores returned) leaves a fully masked row uniform.
            scores = jnp.where(mask, scores, jnp.zeros((), scores.dtype))
        probs = scores
        if training and self.dropout > 0:
            rng = self.call_rng()
            rng = rng if self.seed is None else jax.random.fold_in(rng, self.seed)
            keep = jax.random.bernoulli(rng, 1.0 - self.dropout, scores.shape)
            probs = jnp.where(keep, scores / (1.0 - self.dropout), 0.0)
        output = jnp.einsum("buqk,bkuh->bquh", probs, v)
        output = self._output_dense(output * gate if gate is not None else output)
        if return_attention_scores:
            return output, scores
        return output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        auto = None

        def both(a, b):
            return b if a is None else a & b
        if query_mask is not None:
            auto = jnp.asarray(query_mask).astype(bool)[..., None]
        for m in (value_mask, key_mask):
            if m is not None:
                auto = both(auto, jnp.asarray(m).astype(bool)[..., None, :])
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            auto = both(auto, jnp.tril(jnp.ones((t, s), bool))[None])
        if self.sliding_window is not None:
            band = jnp.abs(jnp.arange(t)[:, None] - jnp.arange(s)[None, :]) < self.sliding_window
            auto = both(auto, band[None])
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask).astype(bool)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            return mask[0] if mask else None
        return mask

    def get_build_config(self):
        """Keras's {"shapes_dict": {query_shape, value_shape[, key_shape]}}."""
        if not self.built:
            return None
        query, value, key = [layer.__dict__.get("_build_input_shape") for layer in
                             (self._query_dense, self._value_dense, self._key_dense)]
        shapes = {"query_shape": query, "value_shape": value}
        if key != value:
            shapes["key_shape"] = key
        return {"shapes_dict": shapes}

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": config_utils.initializer(self.kernel_initializer),
                "bias_initializer": config_utils.initializer(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias", activity=True),
                "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention  # the public name (keras.layers)

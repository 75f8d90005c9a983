"""Attention (Luong-style dot or concat scores) and AdditiveAttention (Bahdanau-style scores),
called on `[query, value]` or `[query, value, key]`, with Keras 3's masks and weights."""
import jax
import jax.numpy as jnp

from jkeras.core.layer import Layer


class Attention(Layer):
    """`softmax(scores(query, key)) @ value`; scores `query @ key^T` ("dot", times a learned
    `scale` when `use_scale`) or `concat_score_weight * sum(tanh(scale * (q + k)))` ("concat")."""

    supports_masking = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={score_mode}")
        if not 0 <= dropout <= 1:
            raise ValueError(f"Invalid value received for argument `dropout` of "
                             f"{type(self).__name__}. Expected a float value between 0 and 1. "
                             f"Received: dropout={dropout}")
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = jnp.matmul(query, jnp.swapaxes(key, -1, -2))
            return scores * self.scale if self.use_scale else scores
        summed = query[..., :, None, :] + key[..., None, :, :]
        if self.use_scale:
            summed = self.scale * summed
        return self.concat_score_weight * jnp.sum(jnp.tanh(summed), axis=-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        q, v = jnp.asarray(inputs[0]), jnp.asarray(inputs[1])
        k = jnp.asarray(inputs[2]) if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = None if v_mask is None else jnp.asarray(v_mask, bool)[..., None, :]
        if use_causal_mask:
            rows, cols = scores.shape[-2:]
            causal = jnp.tril(jnp.ones((1, rows, cols), bool))
            scores_mask = causal if scores_mask is None else jnp.logical_and(scores_mask, causal)
        if scores_mask is not None:
            big = 65504.0 if scores.dtype == jnp.float16 else 1.0e9
            scores = scores - big * jnp.logical_not(scores_mask).astype(scores.dtype)
        weights = jax.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            key = self.call_rng()
            key = key if self.seed is None else jax.random.fold_in(key, self.seed)
            keep = jax.random.bernoulli(key, 1.0 - self.dropout, weights.shape)
            weights = jnp.where(keep, weights / (1.0 - self.dropout), 0.0)
        output = jnp.matmul(weights, v)
        if q_mask is not None:
            output = output * jnp.asarray(q_mask)[..., None].astype(output.dtype)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return jnp.asarray(mask[0])

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             "[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if not 2 <= len(mask) <= 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Attention with scores `sum(scale * tanh(query + key), axis=-1)`; `scale` (one per
    feature, glorot_uniform) when `use_scale`."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        summed = jnp.tanh(query[..., :, None, :] + key[..., None, :, :])
        return jnp.sum(self.scale * summed if self.use_scale else summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config

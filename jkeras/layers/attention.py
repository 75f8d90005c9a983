"""MultiHeadAttention with Keras 3's weights: four einsum projections named query, key, value
and attention_output, kernels (dim, heads, key_dim) / (heads, value_dim, dim), biases
(heads, key_dim) / (dim,)."""
import math
import string

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer

_LETTERS = string.ascii_lowercase


def _proj_equation(free_dims, bound_dims, output_dims):
    """Keras's projection einsum: free input dims pass through, bound ones contract."""
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    out = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}"


def _attention_equations(rank, attn_axes):
    """Einsums for scores (key, query -> scores) and combination (scores, value -> output) over
    projected tensors of shape (batch, <other dims>, <attention dims>, heads, channels)."""
    target = _LETTERS[:rank]
    batch_dims = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _LETTERS[offset]
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class _EinsumDense(Layer):
    """`einsum(equation, inputs, kernel) + bias` whose kernel contracts the last `bound_dims`
    input dims into `output_dims` (Keras's EinsumDense as MultiHeadAttention builds it)."""
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}

    def __init__(self, bound_dims, output_dims, use_bias, kernel_initializer, bias_initializer,
                 **kwargs):
        super().__init__(**kwargs)
        self.bound_dims = bound_dims
        self.output_dims = tuple(int(d) for d in output_dims)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape):
        bound = tuple(input_shape[-self.bound_dims:])
        if any(d is None for d in bound):
            raise ValueError(f"Layer '{self.name}': the projected dimensions must be known. "
                             f"Received input_shape={tuple(input_shape)}")
        self.input_spec = InputSpec(min_ndim=self.bound_dims + 1, axes={
            -1 - i: d for i, d in enumerate(reversed(bound))})
        self.kernel = self.add_weight(shape=bound + self.output_dims, name="kernel",
                                      initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight(shape=self.output_dims, name="bias",
                                        initializer=self.bias_initializer)

    def call(self, inputs):
        equation = _proj_equation(inputs.ndim - self.bound_dims, self.bound_dims,
                                  len(self.output_dims))
        out = jnp.einsum(equation, inputs, self.kernel)
        return out + self.bias if self.use_bias else out


def _positive_int(value, arg, allow_none=False, owner=""):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        expected = "a positive integer or `None`" if allow_none else "a positive integer"
        raise ValueError(f"{owner}Received an invalid value for argument `{arg}`, expected "
                         f"{expected}. "
                         f"Received: {arg}={value!r}")
    return int(value)


class MultiHeadAttention(Layer):
    """Scaled dot-product attention over `num_heads` heads (Vaswani et al., 2017).

    Called as `mha(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None, use_causal_mask=False)`; query (B, T, dim), value/key (B, S, dim).
    Kernel / bias regularizers and constraints, and the activity regularizer, go to the four
    projections (as Keras: not to this layer's own output).
    """
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}  # (held for the projections)

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None, **kwargs):
        owner = f"{type(self).__name__}: "
        num_heads = _positive_int(num_heads, "num_heads", owner=owner)
        key_dim = _positive_int(key_dim, "key_dim", owner=owner)
        value_dim = _positive_int(value_dim, "value_dim", allow_none=True, owner=owner)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout < 1:
            raise ValueError("Invalid value received for argument `dropout`, expected a float "
                             f"in [0, 1). Received: dropout={dropout!r}")
        if output_shape is not None:
            if isinstance(output_shape, (int, np.integer)):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(int(d) for d in output_shape)
            except TypeError:
                raise ValueError(f"Invalid `output_shape`: {output_shape!r}. When specified, the "
                                 "`output_shape` should be of type tuple, list, or int.") from None
        if isinstance(attention_axes, (int, np.integer)):
            attention_axes = (int(attention_axes),)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple. "
                             f"Received: attention_axes={attention_axes!r}")
        super().__init__(**kwargs)
        self._projection_activity, self.activity_regularizer = self.activity_regularizer, None
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape_arg = output_shape
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self.seed = seed
        self.supports_masking = True
        kernel_init = initializers.get(kernel_initializer)
        bias_init = initializers.get(bias_initializer)
        common = dict(use_bias=self.use_bias, kernel_initializer=kernel_init,
                      bias_initializer=bias_init, activity_regularizer=self._projection_activity,
                      dtype=self.dtype_policy,
                      **{f"{w}_{kind}": getattr(self, f"{w}_{kind}") for w in ("kernel", "bias")
                         for kind in ("regularizer", "constraint")})
        # Tracked in Keras's order, so the weights list as query, key, value, attention_output.
        self._query_dense = _EinsumDense(1, (num_heads, key_dim), name="query", **common)
        self._key_dense = _EinsumDense(1, (num_heads, key_dim), name="key", **common)
        self._value_dense = _EinsumDense(1, (num_heads, self.value_dim), name="value", **common)
        self._output_dense = None  # needs the query's last dim: made in build
        self._common = common

    def build(self, query_shape):
        out_dims = self._output_shape_arg or (query_shape[-1],)
        if any(d is None for d in out_dims):
            raise ValueError(f"Layer '{self.name}': the last dimension of `query` must be known. "
                             f"Received: query_shape={tuple(query_shape)}")
        self._output_dense = _EinsumDense(2, out_dims, name="attention_output", **self._common)

    def init(self, rng, *inputs, **kwargs):
        # Inputs given by name (query=, value=, key=) become positional, so that the layer is
        # built from the query's shape.
        inputs = list(inputs)
        for name in ("query", "value", "key")[len(inputs):]:
            if name not in kwargs:
                break
            inputs.append(kwargs.pop(name))
        return super().init(rng, *inputs, **kwargs)

    def get_config(self):
        from jkeras.layers import config_utils
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "use_gate": False, "output_shape": self._output_shape_arg,
                "attention_axes": self.attention_axes, "sliding_window": None,
                "kernel_initializer": config_utils.initializer(self._common["kernel_initializer"]),
                "bias_initializer": config_utils.initializer(self._common["bias_initializer"]),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias", activity=True),
                "activity_regularizer": config_utils.nested(self._projection_activity),
                "seed": self.seed}

    def get_build_config(self):
        """Keras's {"shapes_dict": {query_shape, value_shape, key_shape}}."""
        if not self.built:
            return None
        seen = [self._query_dense, self._value_dense, self._key_dense]
        query, value, key = [layer.__dict__.get("_build_input_shape") for layer in seen]
        shapes = {"query_shape": query, "value_shape": value}
        if key != value:  # Keras lists key_shape only for a separate key (same weights either way)
            shapes["key_shape"] = key
        return {"shapes_dict": shapes}

    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def compute_mask(self, inputs, mask=None):
        # The output is masked like the query (Keras sets the query's mask on the output).
        if isinstance(mask, (list, tuple)):
            return mask[0] if mask else None
        return mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False, mask=None):
        query, value = jnp.asarray(query), jnp.asarray(value)
        key = value if key is None else jnp.asarray(key)
        if query.ndim < 3 or value.ndim != query.ndim or key.ndim != query.ndim:
            raise ValueError(f"Layer '{self.name}': query, value and key must have the same rank "
                             f"(at least 3). Received shapes: query={query.shape}, "
                             f"value={value.shape}, key={key.shape}")
        if value.shape[1:-1] != key.shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be "
                             f"equal. Received: value_shape={value.shape} and "
                             f"key_shape={key.shape}")
        if mask is not None:
            # Masks propagated by a model, in the order of the tensors: query, value[, key].
            masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
            query_mask = masks[0] if query_mask is None else query_mask
            if len(masks) > 1 and value_mask is None:
                value_mask = masks[1]
            if len(masks) == 3 and key_mask is None:
                key_mask = masks[2]
        attention_mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                              attention_mask, use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        output, scores = self._attend(q, k, v, attention_mask, bool(training),
                                      bool(return_attention_scores))
        output = self._output_dense(output)
        return (output, scores) if return_attention_scores else output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """AND of the explicit mask, the query/value/key masks and the causal mask:
        (B, T, S) in the common rank-3 case."""
        auto = None

        def both(a, b):
            return b if a is None else a & b
        if query_mask is not None:
            auto = jnp.expand_dims(jnp.asarray(query_mask).astype(bool), -1)
        if value_mask is not None:
            auto = both(auto, jnp.expand_dims(jnp.asarray(value_mask).astype(bool), -2))
        if key_mask is not None:
            auto = both(auto, jnp.expand_dims(jnp.asarray(key_mask).astype(bool), -2))
        if use_causal_mask:
            t, s = query.shape[1], value.shape[1]
            auto = both(auto, jnp.tril(jnp.ones((t, s), bool))[None])
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask).astype(bool)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def _attend(self, q, k, v, attention_mask, training, return_scores):
        rank = q.ndim
        axes = self.attention_axes
        axes = tuple(range(1, rank - 2)) if axes is None else \
            tuple(a if a >= 0 else (rank - 1) + a for a in axes)
        dot_eq, combine_eq, scores_rank = _attention_equations(rank, axes)
        q = q * jnp.asarray(1.0 / math.sqrt(float(self.key_dim)), q.dtype)
        scores = jnp.einsum(dot_eq, k, q)
        norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        if attention_mask is not None:
            # Broadcast from the heads axis: (B, T, S) -> (B, 1, T, S).
            for _ in range(scores.ndim - attention_mask.ndim):
                attention_mask = jnp.expand_dims(attention_mask, -len(axes) * 2 - 1)
            scores = jnp.where(attention_mask, scores, jnp.asarray(-1e9, scores.dtype))
        scores = jax.nn.softmax(scores, axis=norm_axes)
        if attention_mask is not None and (self.dropout > 0 or return_scores or rank != 4):
            # Keras's explicit-scores path (its Softmax layer) zeroes masked weights, so a fully
            # masked row attends to nothing; its fused path (the other cases) leaves it uniform.
            scores = jnp.where(attention_mask, scores, jnp.zeros((), scores.dtype))
        probs = scores
        if training and self.dropout > 0:
            keep = jax.random.bernoulli(self.call_rng(), 1.0 - self.dropout, scores.shape)
            probs = jnp.where(keep, scores / (1.0 - self.dropout), 0.0)
        return jnp.einsum(combine_eq, probs, v), scores

"""Circle (metric learning) and CTC (sequence) losses of Keras 3."""
import jax
import jax.numpy as jnp
import optax

from jkeras.losses.classes import _Builtin
from jkeras.losses.shapes import squeeze_or_expand_to_same_rank


def _circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
            gamma=80, margin=0.4):
    """Per-sample circle loss and Keras's output mask (loss > 0)."""
    y_pred = jnp.asarray(y_pred)
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(jnp.float32)
    y_true = jnp.asarray(y_true).astype(jnp.int32)
    ref_embeddings = y_pred if ref_embeddings is None else jnp.asarray(ref_embeddings)
    ref_labels = y_true if ref_labels is None else jnp.asarray(ref_labels).astype(jnp.int32)
    dist = jnp.maximum(1 - y_pred @ ref_embeddings.T, 0.0)
    q = y_true.reshape(-1, 1) if y_true.ndim == 1 else y_true
    k = ref_labels.reshape(-1, 1) if ref_labels.ndim == 1 else ref_labels
    pos = q == k.T
    neg = ~pos
    if remove_diagonal:
        pos = pos & ~jnp.eye(q.size, k.size, dtype=bool)
    pos_w = jnp.maximum((margin + dist) * pos, 0.0)
    neg_w = jnp.maximum((1 + margin - dist) * neg, 0.0)
    pos_wdists = -1 * gamma * pos_w * (margin - dist)
    neg_wdists = gamma * neg_w * ((1 - margin) - dist)
    p_loss = jax.nn.logsumexp(jnp.where(pos, pos_wdists, -jnp.inf), axis=1, where=pos)
    n_loss = jax.nn.logsumexp(jnp.where(neg, neg_wdists, -jnp.inf), axis=1, where=neg)
    loss = jax.nn.softplus(p_loss + n_loss)
    return loss, loss > 0


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss (Sun et al., 2020) of L2-normalised embeddings y_pred with integer
    labels y_true. Keras masks the zero losses out of the reduction; Circle does too."""
    return _circle(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma,
                   margin)[0]


def ctc(y_true, y_pred):
    """CTC loss of logits y_pred (batch, time, classes) for integer targets y_true
    (batch, max_length) padded with 0, which is also the blank class (Keras's mask_index)."""
    y_true, y_pred = jnp.asarray(y_true), jnp.asarray(y_pred)
    if y_true.ndim != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape "
                         "`(batch_size, max_length)` in integer format. Received: "
                         f"y_true.shape={y_true.shape}")
    if y_pred.ndim != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         "`(batch_size, max_length, num_classes)`. Received: "
                         f"y_pred.shape={y_pred.shape}")
    labels = y_true.astype(jnp.int32)
    label_length = jnp.sum(labels != 0, axis=-1)
    label_paddings = (jnp.arange(labels.shape[1])[None, :] >= label_length[:, None])
    logit_paddings = jnp.zeros(y_pred.shape[:2], y_pred.dtype)
    return optax.ctc_loss(y_pred, logit_paddings, labels, label_paddings.astype(y_pred.dtype),
                          blank_id=0)


class Circle(_Builtin):
    _args = ("gamma", "margin", "remove_diagonal")

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, reduction, name, dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def _call_with_mask(self, y_true, y_pred, logits=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _circle(y_true, y_pred, **self._fn_kwargs)

    def _cast_true(self, y_true):
        return jnp.asarray(y_true)


class CTC(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)

    def _cast_true(self, y_true):
        return jnp.asarray(y_true)

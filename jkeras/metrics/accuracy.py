"""Accuracy metrics with Keras 3 semantics (argmax ties -> first index, top-k ties -> all in)."""
import jax.numpy as jnp

from jkeras import losses
from jkeras.losses import squeeze_or_expand_to_same_rank
from jkeras.metrics.base import _FixedFn


def _float_pred(y_pred):
    y_pred = jnp.asarray(y_pred)
    return y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)


def accuracy(y_true, y_pred):
    y_pred = _float_pred(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(jnp.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
    y_pred = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == y_pred).astype(jnp.float32)


def categorical_accuracy(y_true, y_pred):
    y_pred = _float_pred(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true), axis=-1).astype(y_pred.dtype)
    org_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim  # y_true had one more (trailing 1) axis
    if reshape:
        y_true = jnp.squeeze(y_true, -1)
    matches = (y_true == jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)).astype(jnp.float32)
    return matches.reshape(org_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = _float_pred(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)  # Keras compares labels as floats
    org_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if reshape:
        y_true = jnp.squeeze(y_true, -1)
    matches = (y_true == jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)).astype(jnp.float32)
    if reshape:
        matches = matches.reshape(org_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def in_top_k(targets, predictions, k):
    """tf.math.in_top_k: True when fewer than k scores beat the target's score; a
    non-finite target score or an out-of-range target is never in the top k."""
    n = predictions.shape[-1]
    valid = (targets >= 0) & (targets < n)
    idx = jnp.clip(targets, 0, n - 1)[..., None]
    target_score = jnp.take_along_axis(predictions, idx, axis=-1)
    beaten_by = jnp.sum(predictions > target_score, axis=-1)
    return valid & jnp.isfinite(target_score[..., 0]) & (beaten_by < k)


def _top_k(y_true, y_pred, k):
    """Flatten to (samples, classes), score, and give matches y_true's shape back."""
    org_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = in_top_k(y_true.reshape(-1), y_pred, k).astype(jnp.float32)
    return matches.reshape(org_shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _float_pred(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true, y_pred.dtype), axis=-1).astype(jnp.int32)
    return _top_k(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    y_pred = jnp.asarray(y_pred)
    if from_sorted_ids:  # y_pred holds class ids sorted by score
        y_true = jnp.asarray(y_true, y_pred.dtype)
        org_shape = y_true.shape
        flat = y_pred.reshape(-1, y_pred.shape[-1])[:, :k]
        hit = jnp.any(y_true.reshape(-1, 1) == flat, axis=1)
        return hit.astype(jnp.float32).reshape(org_shape)
    return _top_k(jnp.asarray(y_true).astype(jnp.int32), _float_pred(y_pred), k)


class Accuracy(_FixedFn):
    """Exact equality of y_true and y_pred (keras.metrics.Accuracy)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(_FixedFn):
    _args = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(_FixedFn):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(_FixedFn):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(_FixedFn):
    _args = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(_FixedFn):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:  # as Keras: only written when set
            config["from_sorted_ids"] = True
        return config


# ----------------------------------------------------------------------------- "accuracy"
def accuracy_kind(y_true_shape=None, y_pred_shape=None, loss=None):
    """How compile() resolves "accuracy": "binary", "sparse", "categorical", or None when
    neither the shapes nor the loss decide.

    Keras 3 (trainers/compile_utils.py) looks at shapes only: binary when y_pred's last
    dim is 1; sparse when y_true has fewer dims, or a last dim of 1 against y_pred's > 1;
    else categorical. The loss is only a fallback for shapes we do not know yet, so that
    known shapes always give Keras 3's answer (e.g. multi-label BCE -> categorical)."""
    if y_pred_shape is not None and len(y_pred_shape) and y_pred_shape[-1] == 1:
        return "binary"
    if y_true_shape is not None and y_pred_shape is not None:
        t_last = y_true_shape[-1] if len(y_true_shape) else None
        p_last = y_pred_shape[-1] if len(y_pred_shape) else None
        sparse = len(y_true_shape) < len(y_pred_shape) or (
            t_last == 1 and p_last is not None and p_last > 1)
        return "sparse" if sparse else "categorical"
    if loss is None:
        return None
    try:
        loss = losses.get(loss)
    except ValueError:
        return None
    for cls, kind in ((losses.BinaryCrossentropy, "binary"),
                      (losses.SparseCategoricalCrossentropy, "sparse"),
                      (losses.CategoricalCrossentropy, "categorical")):
        if isinstance(loss, cls):
            return kind
    return None


_KIND_FN = {"binary": binary_accuracy, "sparse": sparse_categorical_accuracy,
            "categorical": categorical_accuracy}


def auto_accuracy(y_true, y_pred):
    """"accuracy" resolved from the (static) shapes of the arrays it is given."""
    y_true, y_pred = jnp.asarray(y_true), jnp.asarray(y_pred)
    return _KIND_FN[accuracy_kind(y_true.shape, y_pred.shape)](y_true, y_pred)


class AutoAccuracy(_FixedFn):
    """Compile's "accuracy" before the shapes are known; same state as the others."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(auto_accuracy, name, dtype)

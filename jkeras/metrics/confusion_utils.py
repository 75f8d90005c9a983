"""Keras's confusion-matrix accumulation (metrics_utils.update_confusion_matrix_variables)
as a pure function returning the increments. Thresholds are a static numpy vector, so
every state has a fixed shape: (num_thresholds,) or (num_thresholds, num_labels)."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.losses import squeeze_or_expand_to_same_rank

NEG_INF = -1e10
# state names as Keras names its variables
VAR_NAMES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
             "fn": "false_negatives"}


def to_list(x):
    return list(x) if isinstance(x, (list, tuple, np.ndarray)) else [x]


def parse_init_thresholds(thresholds, default_threshold=0.5, owner="metric"):
    """The thresholds as a list; Keras's error (naming `owner`) for values outside [0, 1]."""
    if thresholds is not None:
        invalid = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"{owner}: Threshold values must be in [0, 1]. "
                             f"Received: {invalid}")
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=1e-7))


def filter_top_k(x, k):
    """Keep the k largest entries of the last axis, the others become NEG_INF."""
    _, idx = jax.lax.top_k(x, k)
    mask = jnp.sum(jax.nn.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def _evenly(keys, y_true, y_pred, thresholds, multi_label, sample_weight, label_weights):
    """Keras's bucketed path (one pass over the data, then reverse cumulative sums)."""
    n = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    weights = 1.0
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight, y_pred.shape)
        if not multi_label:
            weights = weights.reshape(-1)
    if label_weights is not None:
        lw = jnp.broadcast_to(jnp.asarray(label_weights, jnp.float32)[None], y_pred.shape)
        weights = weights * (lw if multi_label else lw.reshape(-1))
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(jnp.float32)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = jnp.ceil(y_pred * (n - 1)) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0)
    buckets = buckets.astype(jnp.int32)  # -1 (p == 0 without epsilon) is dropped, as TF

    def count(labels, idx):
        b = jax.ops.segment_sum(labels, idx, num_segments=n)
        return jnp.flip(jnp.cumsum(jnp.flip(b, -1), axis=-1), -1)

    if multi_label:
        true_labels, false_labels, buckets = true_labels.T, false_labels.T, buckets.T
        tp = jax.vmap(count)(true_labels, buckets).T
        fp = jax.vmap(count)(false_labels, buckets).T
        total_true, total_false = jnp.sum(true_labels, 1), jnp.sum(false_labels, 1)
    else:
        tp, fp = count(true_labels, buckets), count(false_labels, buckets)
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    out = {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}
    return {k: out[k] for k in keys}


def confusion_increments(keys, y_true, y_pred, thresholds, top_k=None, class_id=None,
                         sample_weight=None, multi_label=False, label_weights=None,
                         thresholds_distributed_evenly=False, owner="metric"):
    """{key: increment} for the confusion counts named in `keys` ("tp", "fp", "tn", "fn")."""
    y_true = jnp.asarray(y_true, jnp.float32)
    y_pred = jnp.asarray(y_pred, jnp.float32)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{owner}: y_true and y_pred must have the same shape (a trailing axis of 1 "
            f"aside): one 0/1 label per score. Received: y_true.shape={y_true.shape}, "
            f"y_pred.shape={y_pred.shape}. For integer class labels against per-class "
            "scores, one-hot encode the labels.")
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, jnp.float32)[..., None]
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"{owner}: When class_id is provided, y_pred must be a 2D array "
                             "with shape (num_samples, num_classes), found shape: "
                             f"{y_pred.shape}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if thresholds_distributed_evenly:
        return _evenly(keys, y_true, y_pred, np.asarray(thresholds, np.float64), multi_label,
                       sample_weight, label_weights)
    thresholds = jnp.asarray(np.asarray(thresholds, np.float32))
    label_pos = y_true != 0
    if multi_label:  # (T, N, L)
        pred_pos = y_pred[None] > thresholds[:, None, None]
        label_pos = jnp.broadcast_to(label_pos, y_pred.shape)[None]
    else:  # (T, N * L)
        pred_pos = y_pred.reshape(1, -1) > thresholds[:, None]
        label_pos = label_pos.reshape(1, -1)
    weights = None
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None and not multi_label:
        lw = jnp.broadcast_to(jnp.asarray(label_weights, jnp.float32)[None], y_pred.shape)
        weights = lw if weights is None else weights * lw
    if weights is not None:
        weights = weights[None] if multi_label else weights.reshape(1, -1)
    pairs = {"tp": (label_pos, pred_pos), "fn": (label_pos, ~pred_pos),
             "fp": (~label_pos, pred_pos), "tn": (~label_pos, ~pred_pos)}
    out = {}
    for k in keys:
        hit = pairs[k][0] & pairs[k][1]
        out[k] = jnp.sum(hit.astype(jnp.float32) if weights is None
                         else jnp.where(hit, weights, 0.0), axis=1)
    return out

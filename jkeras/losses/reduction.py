"""Reductions: sum_over_batch_size (Keras's default), sum, mean, none; sample weights."""
import jax.numpy as jnp

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
from jkeras.losses.shapes import (  # noqa: F401
    _divide_no_nan, squeeze_or_expand_to_same_rank)


# ----------------------------------------------------------------------------- reduction
def apply_mask(sample_weight, mask, reduction):
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        # valid entries get weight total/valid so the later /total becomes /valid
        fmask = mask.astype(jnp.float32)
        w = jnp.where(mask, _divide_no_nan(jnp.float32(mask.size), jnp.sum(fmask)), 0.0)
    else:
        w = mask.astype(jnp.float32)
    if sample_weight is None:
        return w
    w, sample_weight = squeeze_or_expand_to_same_rank(w, sample_weight)
    return sample_weight * w


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(sample_weight).astype(loss.dtype)
    else:
        divisor = jnp.asarray(values.size, loss.dtype)
    return _divide_no_nan(loss, divisor)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=jnp.float32):
    reduction = standardize_reduction(reduction)
    values = jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction

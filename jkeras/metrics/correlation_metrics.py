"""Correlation metrics of Keras 3: pearson_correlation, concordance_correlation (per-sample
values along `axis`, averaged over samples) and their classes."""
import jax.numpy as jnp

from jkeras.losses import squeeze_or_expand_to_same_rank
from jkeras.losses.hinge import _float_pair
from jkeras.metrics.base import _FixedFn

_EPSILON = 1e-7


def pearson_correlation(y_true, y_pred, axis=-1):
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    t = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    p = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    t = t / jnp.std(t, axis=axis, keepdims=True)
    p = p / jnp.std(p, axis=axis, keepdims=True)
    return jnp.mean(t * p, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Keras 3.15's formula, including its covariance term (y_true - mean(y_pred))."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    t_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    p_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    t_var = jnp.var(y_true - t_mean, axis=axis, keepdims=True)
    p_var = jnp.var(y_pred - p_mean, axis=axis, keepdims=True)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + jnp.square(t_mean - p_mean)
    return jnp.mean(2 * covar / (norm + _EPSILON), axis=axis)


class PearsonCorrelation(_FixedFn):
    _args = ("axis",)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name, dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(_FixedFn):
    _args = ("axis",)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name, dtype, axis=axis)
        self.axis = axis

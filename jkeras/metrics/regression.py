"""Regression metrics: sample means of the loss functions, and RMSE."""
import jax.numpy as jnp

from jkeras import losses
from jkeras.losses import squeeze_or_expand_to_same_rank
from jkeras.metrics.base import Mean, _FixedFn


class MeanSquaredError(_FixedFn):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name, dtype)


class MeanAbsoluteError(_FixedFn):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name, dtype)


class MeanAbsolutePercentageError(_FixedFn):
    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name, dtype)


class MeanSquaredLogarithmicError(_FixedFn):
    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name, dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the weighted mean of squared errors (per-sample mean over trailing axes)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(
            jnp.asarray(y_true, jnp.float32), jnp.asarray(y_pred, jnp.float32))
        return super().update(state, jnp.square(y_pred - y_true), sample_weight)

    def result_from(self, state):
        return jnp.sqrt(super().result_from(state))

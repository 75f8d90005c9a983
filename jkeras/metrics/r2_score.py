"""keras.metrics.R2Score: coefficient of determination per output, then aggregated.

State: per-output sums of shape (num_outputs,), sized by the first batch (see ShapeBuilt).
Keras warns and falls back to plain R2 when num_regressors >= num_samples - 1; the jitted
result can only fall back (no warning from inside jit), the eager `result()` warns too."""
import warnings

import jax.numpy as jnp

from jkeras.losses import align_shapes, squeeze_or_expand_to_same_rank
from jkeras.metrics.base import Metric
from jkeras.metrics.shape_built import ShapeBuilt

_VARS = ("sum", "squared_sum", "residual", "count")


class R2Score(ShapeBuilt, Metric):
    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name, dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors

    def _build_dim(self, y_true_shape, y_pred_shape):
        y_true_shape, y_pred_shape = align_shapes(y_true_shape, y_pred_shape)
        shapes = f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}"
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: {shapes}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim), "
                             "with output_dim fully defined (not None). Received input "
                             f"shapes: {shapes}.")
        return y_pred_shape[-1]

    def init(self):
        self._check_built()
        state = {k: jnp.zeros((self._built_dim,), jnp.float32) for k in _VARS}
        return {"num_samples": jnp.zeros((), jnp.float32), **state}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(
            jnp.asarray(y_true, jnp.float32), jnp.asarray(y_pred, jnp.float32))
        self._build_dim(y_true.shape, y_pred.shape)
        w = jnp.ones((), jnp.float32) if sample_weight is None else jnp.asarray(
            sample_weight, jnp.float32)
        if w.ndim == 1:
            w = w[:, None]
        w = jnp.broadcast_to(w, y_true.shape)
        wt = y_true * w
        return {"sum": state["sum"] + jnp.sum(wt, axis=0),
                "squared_sum": state["squared_sum"] + jnp.sum(y_true * wt, axis=0),
                "residual": state["residual"] + jnp.sum((y_true - y_pred) ** 2 * w, axis=0),
                "count": state["count"] + jnp.sum(w, axis=0),
                "num_samples": state["num_samples"] + y_true.size}

    def result_from(self, state):
        mean = state["sum"] / state["count"]
        total = state["squared_sum"] - state["sum"] * mean
        raw = 1 - state["residual"] / total
        raw = jnp.where(jnp.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            r2 = jnp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = jnp.sum(total * raw) / jnp.sum(total)
        else:
            r2 = raw
        if self.num_regressors != 0:
            n, p = state["num_samples"], float(self.num_regressors)
            adjusted = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0)
            r2 = jnp.where(p >= n - 1, r2, adjusted)
        return r2

    def result(self):
        if self.num_regressors != 0:
            n = float(self.state["num_samples"])
            if self.num_regressors > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif self.num_regressors == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
        return super().result()

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}

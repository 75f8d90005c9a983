"""keras.metrics.FBetaScore and F1Score (state sized by the number of classes)."""
import jax.numpy as jnp

from jkeras.metrics.base import Metric
from jkeras.metrics.shape_built import ShapeBuilt

_EPSILON = 1e-7
_VARS = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


class FBetaScore(ShapeBuilt, Metric):
    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name, dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: "
                             "{None, 'micro', 'macro', 'weighted'}. "
                             f"Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0

    def _build_dim(self, y_true_shape, y_pred_shape):
        shapes = f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}"
        name = type(self).__name__
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{name} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: {shapes}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"{name} expects 2D inputs with shape (batch_size, output_dim), "
                             "with output_dim fully defined (not None). Received input "
                             f"shapes: {shapes}.")
        if y_pred_shape[-1] != y_true_shape[-1]:
            raise ValueError(f"{name} expects y_true and y_pred of the same shape "
                             f"(batch_size, output_dim). Received input shapes: {shapes}.")
        return y_pred_shape[-1]

    def init(self):
        self._check_built()
        shape = () if self.average == "micro" else (self._built_dim,)
        return {k: jnp.zeros(shape, jnp.float32) for k in _VARS}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true = jnp.asarray(y_true, jnp.float32)
        y_pred = jnp.asarray(y_pred, jnp.float32)
        self._build_dim(y_true.shape, y_pred.shape)  # the same checks on every batch
        if self.threshold is None:
            top = jnp.max(y_pred, axis=-1, keepdims=True)
            y_pred = (y_pred >= top) & (jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(jnp.float32)

        def wsum(val):
            if sample_weight is not None:
                val = val * jnp.asarray(sample_weight, jnp.float32)[:, None]
            return jnp.sum(val, axis=self.axis)

        inc = {"true_positives": wsum(y_pred * y_true),
               "false_positives": wsum(y_pred * (1 - y_true)),
               "false_negatives": wsum((1 - y_pred) * y_true),
               "intermediate_weights": wsum(y_true)}
        return {k: state[k] + inc[k] for k in _VARS}

    def result_from(self, state):
        tp = state["true_positives"]
        precision = tp / (tp + state["false_positives"] + _EPSILON)
        recall = tp / (tp + state["false_negatives"] + _EPSILON)
        b2 = self.beta ** 2
        f_score = precision * recall / (b2 * precision + recall + _EPSILON) * (1 + b2)
        if self.average == "weighted":
            w = state["intermediate_weights"]
            return jnp.sum(f_score * (w / (jnp.sum(w) + _EPSILON)))
        if self.average is not None:
            return jnp.mean(f_score)
        return f_score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config

"""`MonitorCallback`: the shared "is this value an improvement" logic of Keras 3.

Used by EarlyStopping, ReduceLROnPlateau and ModelCheckpoint.
"""

import operator
import re
import warnings

import numpy as np

from jkeras.training.callbacks.base import Callback

# Keras 3 resolves mode="auto" from each metric object's `_direction`. Our model is duck-typed, so
# after asking its metrics we fall back to the directions of Keras's built-in metrics by name.
_UP = {
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "prc",
    "precision", "recall", "f1_score", "fbeta_score", "r2_score", "cosine_similarity",
    "iou", "mean_iou", "binary_iou", "one_hot_iou", "one_hot_mean_iou",
    "pearson_correlation", "concordance_correlation", "precision_at_recall",
    "recall_at_precision", "sensitivity_at_specificity", "specificity_at_sensitivity",
}
_DOWN = {
    "mean_squared_error", "mse", "mean_absolute_error", "mae",
    "mean_absolute_percentage_error", "mape", "mean_squared_logarithmic_error", "msle",
    "root_mean_squared_error", "log_cosh_error", "logcosh", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "hinge", "squared_hinge",
    "categorical_hinge", "kl_divergence", "kullback_leibler_divergence", "poisson",
}


def _direction_from_model(model, name):
    """'up' / 'down' from a model metric named `name` that carries `_direction`, else None."""
    found = []
    for m in getattr(model, "metrics", None) or []:
        # Compile-time metric containers hold their metrics in `.metrics`.
        found.extend(getattr(m, "metrics", None) or [m])
    for m in found:
        if getattr(m, "name", None) == name and getattr(m, "_direction", None) in ("up", "down"):
            return m._direction
    return None


def _direction_from_name(name):
    base = re.sub(r"_\d+$", "", name)  # "auc_1" is a second AUC
    if base in _UP:
        return "up"
    if base in _DOWN or base.endswith("loss"):
        return "down"
    return None


class MonitorCallback(Callback):
    """Base for callbacks that watch one logged quantity."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ["auto", "min", "max"]:
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        # Deferred to the first epoch end (as Keras) so the model's metrics exist by then.
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            direction = "down" if name == "loss" else None
            direction = direction or _direction_from_model(self._model, name)
            direction = direction or _direction_from_name(name)
            if direction is None:
                raise ValueError(
                    f"{self.__class__.__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest value."
                )
            self.monitor_op = operator.gt if direction == "up" else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta *= -1  # "better" means below best - |min_delta|

    def _monitored_value(self, logs, subject, end=""):
        """`logs[monitor]`, or None after Keras's warning that names the metrics there are."""
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"{subject} conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}{end}",
                stacklevel=3,
            )
        return value

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        # Keras compares as float32 tensors (ops.less on Python floats): 0.18 + 0.05 is then *not*
        # below 0.23, while in float64 it is. Matching that keeps stop epochs identical.
        value = np.float32(monitor_value - self.min_delta)
        return bool(self.monitor_op(value, np.float32(reference_value)))

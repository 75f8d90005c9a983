"""keras.metrics.AUC: ROC / PR / PR-gain area from confusion counts at fixed thresholds.

State: tp/fp/tn/fn of shape (num_thresholds,), or (num_thresholds, num_labels) with
multi_label=True. Without `num_labels` a multi-label AUC learns its label count from the
first batch (Keras's lazy build): `build_from_shapes` fixes it before any jitted loop."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.metrics.base import Metric, _divide_no_nan
from jkeras.metrics.shape_built import ShapeBuilt
from jkeras.metrics.confusion_utils import (
    VAR_NAMES, confusion_increments, is_evenly_distributed_thresholds, parse_init_thresholds)

_EPSILON = 1e-7
_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
           "PRGAIN": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
               "majoring": "majoring", "Majoring": "majoring", "minoring": "minoring",
               "Minoring": "minoring"}
_KEYS = ("tp", "fp", "tn", "fn")
_VARS = tuple(VAR_NAMES[k] for k in _KEYS)


class AUC(ShapeBuilt, Metric):
    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            # Keras takes any values here; outside [0, 1] they count nothing useful (scores
            # are clipped to [0, 1] on the fast path), so we reject them as Precision does.
            parse_init_thresholds(thresholds, owner="AUC")
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("AUC: Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - _EPSILON] + thresholds + [1.0 + _EPSILON])
        if curve not in _CURVES:
            raise ValueError(f'AUC: Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if summation_method not in _SUMMATIONS:
            raise ValueError(f'AUC: Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self.curve, self.summation_method = _CURVES[curve], _SUMMATIONS[summation_method]
        super().__init__(name, dtype)
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = (None if label_weights is None
                              else np.asarray(label_weights, np.float32))
        self._from_logits = from_logits
        if multi_label:
            if num_labels:
                self.build_from_shapes(None, (None, num_labels))
        elif num_labels:
            raise ValueError("AUC: `num_labels` is needed only when `multi_label` is True. "
                             f"Received: num_labels={num_labels}, multi_label=False")

    @property
    def thresholds(self):
        return list(self._thresholds)

    # --- state (a multi-label AUC without num_labels is sized by its first batch)
    def _needs_build(self):
        return self.multi_label and self._built_dim is None

    def _build_dim(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2:
            raise ValueError(f"AUC '{self.name}': `y_pred` must have rank 2 when "
                             "`multi_label=True`. Found rank "
                             f"{len(y_pred_shape)}. Full shape received for `y_pred`: "
                             f"{y_pred_shape}")
        return y_pred_shape[1]

    def init(self):
        self._check_built()
        shape = ((self.num_thresholds, self._built_dim) if self.multi_label
                 else (self.num_thresholds,))
        return {k: jnp.zeros(shape, jnp.float32) for k in _VARS}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_pred = jnp.asarray(y_pred, jnp.float32)
        if self._from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
        inc = confusion_increments(
            _KEYS, y_true, y_pred, self._thresholds,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            owner=f"AUC '{self.name}'")
        return {VAR_NAMES[k]: state[VAR_NAMES[k]] + inc[k] for k in _KEYS}

    # --- result
    def _by_label(self, terms):
        if not self.multi_label:
            return jnp.sum(terms)
        by_label = jnp.sum(terms, axis=0)
        if self.label_weights is None:
            return jnp.mean(by_label)
        return _divide_no_nan(jnp.sum(by_label * self.label_weights),
                              jnp.sum(self.label_weights))

    def _interpolate_pr_auc(self, tp, fp, fn):
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = _divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = jnp.where((p[:-1] > 0) & (p[1:] > 0),
                                 _divide_no_nan(p[:-1], jnp.maximum(p[1:], 0)),
                                 jnp.ones_like(p[1:]))
        return self._by_label(_divide_no_nan(
            prec_slope * (dtp + intercept * jnp.log(safe_p_ratio)),
            jnp.maximum(tp[1:] + fn[1:], 0)))

    def result_from(self, state):
        tp, fp, tn, fn = (state[k] for k in _VARS)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scale = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * _divide_no_nan(fp, tp)
            recall_gain = jnp.maximum(jnp.where(tp == 0, 0.0, recall_gain), 0.0)
            x, y = recall_gain, jnp.where(tp == 0, 1.0, precision_gain)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config

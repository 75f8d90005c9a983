"""Thresholded confusion-count metrics of Keras 3: TruePositives .. FalseNegatives,
Precision, Recall, and the X-at-Y family (SensitivityAtSpecificity, ...).

State: one float32 vector of length len(thresholds) per count; the result is a scalar
when there is one threshold, else a vector (as Keras)."""
import jax.numpy as jnp

from jkeras.metrics.base import Metric, _divide_no_nan
from jkeras.metrics.confusion_utils import (
    NEG_INF, VAR_NAMES as _VAR_NAMES, confusion_increments, is_evenly_distributed_thresholds,
    parse_init_thresholds)


class _ConfusionBase(Metric):
    """Counts `_keys` at `self.thresholds`; subclasses give `result_from`."""
    _keys = ()

    def __init__(self, thresholds, name=None, dtype=None, top_k=None, class_id=None):
        super().__init__(name, dtype)
        self.thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(thresholds)

    def init(self):
        return {_VAR_NAMES[k]: jnp.zeros((len(self.thresholds),), jnp.float32)
                for k in self._keys}

    def update(self, state, y_true, y_pred, sample_weight=None):
        inc = confusion_increments(
            self._keys, y_true, y_pred, self.thresholds, top_k=self.top_k,
            class_id=self.class_id, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            owner=self._owner())
        return {_VAR_NAMES[k]: state[_VAR_NAMES[k]] + inc[k] for k in self._keys}

    def _owner(self):
        return f"{type(self).__name__} '{self.name}'"

    def _squeeze(self, value):
        return value[0] if len(self.thresholds) == 1 else value


class _ConditionCount(_ConfusionBase):
    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        super().__init__(parse_init_thresholds(thresholds, 0.5, type(self).__name__), name,
                         dtype)

    def init(self):
        return {"accumulator": jnp.zeros((len(self.thresholds),), jnp.float32)}

    def update(self, state, y_true, y_pred, sample_weight=None):
        inc = confusion_increments(
            self._keys, y_true, y_pred, self.thresholds, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            owner=self._owner())
        return {"accumulator": state["accumulator"] + inc[self._keys[0]]}

    def result_from(self, state):
        return self._squeeze(state["accumulator"])

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    _keys = ("tp",)


class FalsePositives(_ConditionCount):
    _keys = ("fp",)


class TrueNegatives(_ConditionCount):
    _keys = ("tn",)


class FalseNegatives(_ConditionCount):
    _keys = ("fn",)


class _PrecisionRecall(_ConfusionBase):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        default = 0.5 if top_k is None else NEG_INF
        super().__init__(parse_init_thresholds(thresholds, default, type(self).__name__), name,
                         dtype, top_k, class_id)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at each threshold (keras.metrics.Precision)."""
    _keys = ("tp", "fp")

    def result_from(self, state):
        tp = state["true_positives"]
        return self._squeeze(_divide_no_nan(tp, tp + state["false_positives"]))


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at each threshold (keras.metrics.Recall)."""
    _keys = ("tp", "fn")

    def result_from(self, state):
        tp = state["true_positives"]
        return self._squeeze(_divide_no_nan(tp, tp + state["false_negatives"]))


class _AtValue(_ConfusionBase):
    """Best `dependent` over the thresholds where `constrained >= value`."""
    _keys = ("tp", "fp", "tn", "fn")
    _arg = None  # the constructor's name for `value`

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"{type(self).__name__}: Argument `{self._arg}` must be in the "
                             f"range [0, 1]. Received: {self._arg}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"{type(self).__name__}: Argument `num_thresholds` must be an "
                             f"integer > 0. Received: num_thresholds={num_thresholds}")
        self.value, self.num_thresholds = value, num_thresholds
        setattr(self, self._arg, value)
        if num_thresholds == 1:
            thresholds = [0.5]
        else:
            thresholds = [0.0] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                  for i in range(num_thresholds - 2)] + [1.0]
        super().__init__(thresholds, name, dtype, class_id=class_id)
        self._thresholds_distributed_evenly = num_thresholds != 1

    def _rates(self, s):
        tp, fp, tn, fn = (s[_VAR_NAMES[k]] for k in ("tp", "fp", "tn", "fn"))
        return {"sensitivity": _divide_no_nan(tp, tp + fn), "recall": _divide_no_nan(tp, tp + fn),
                "specificity": _divide_no_nan(tn, tn + fp),
                "precision": _divide_no_nan(tp, tp + fp)}

    def result_from(self, state):
        rates = self._rates(state)
        constrained, dependent = rates[self._arg], rates[self._target]
        return jnp.max(jnp.where(constrained >= self.value, dependent, 0.0), initial=0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._arg: self.value}


class SensitivityAtSpecificity(_AtValue):
    _arg, _target = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtValue):
    _arg, _target = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_AtValue):
    _arg, _target = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtValue):
    _arg, _target = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

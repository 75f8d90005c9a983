"""Intersection-over-union metrics of Keras 3: IoU, MeanIoU, BinaryIoU, OneHotIoU,
OneHotMeanIoU. State: a (num_classes, num_classes) confusion matrix.

As in Keras the matrix has an integer dtype (config "int64"; JAX's default int32 holds it),
so float sample weights are truncated toward zero, exactly as tf.keras does (Keras warns)."""
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.metrics.base import Metric

_EPSILON = 1e-7


def _state_dtype(dtype):
    return jax.dtypes.canonicalize_dtype(jnp.dtype(dtype))


class IoU(Metric):
    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name, dtype or "int64")
        if num_classes is None or int(num_classes) < 1:
            raise ValueError(f"{type(self).__name__} needs `num_classes`, a positive int. "
                             f"Received: num_classes={num_classes}")
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, "
                             f"which is [0, {num_classes}).")
        self.num_classes, self.ignore_class, self.axis = num_classes, ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.target_class_ids = list(target_class_ids)

    def init(self):
        return {"total_confusion_matrix": jnp.zeros((self.num_classes, self.num_classes),
                                                    _state_dtype(self.dtype))}

    def _labels(self, y_true, y_pred):
        if not self.sparse_y_true:
            y_true = jnp.argmax(jnp.asarray(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = jnp.argmax(jnp.asarray(y_pred), axis=self.axis)
        return y_true, y_pred

    def update(self, state, y_true, y_pred, sample_weight=None):
        dtype = _state_dtype(self.dtype)
        y_true, y_pred = self._labels(y_true, y_pred)
        y_true = jnp.asarray(y_true).astype(dtype).reshape(-1)
        y_pred = jnp.asarray(y_pred).astype(dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': y_true and y_pred must hold the same "
                f"number of class labels (after argmax for one-hot inputs, then flattened). "
                f"Received: {y_true.size} and {y_pred.size} labels; check sparse_y_true / "
                "sparse_y_pred against the inputs' encoding.")
        if sample_weight is None:
            sample_weight = jnp.ones((), dtype)
        else:
            sample_weight = jnp.asarray(sample_weight)
            if (jnp.issubdtype(sample_weight.dtype, jnp.floating)
                    and jnp.issubdtype(dtype, jnp.integer)):
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                              "result in an incorrect weight due to type casting Consider "
                              "using integer weights.", stacklevel=2)
            sample_weight = sample_weight.astype(dtype)
            if sample_weight.ndim > 1:
                sample_weight = sample_weight.reshape(-1)
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape)
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid = valid & (y_true != self.ignore_class)
        y_true = jnp.where(valid, y_true, 0)
        y_pred = jnp.where(valid, y_pred, 0)
        sample_weight = jnp.where(valid, sample_weight, 0)
        cm = state["total_confusion_matrix"].at[y_true, y_pred].add(sample_weight)
        return {"total_confusion_matrix": cm}

    def result_from(self, state):
        cm = state["total_confusion_matrix"]
        rows = jnp.sum(cm, axis=0).astype(jnp.float32)
        cols = jnp.sum(cm, axis=1).astype(jnp.float32)
        tp = jnp.diag(cm).astype(jnp.float32)
        ids = np.asarray(self.target_class_ids, np.int32)
        denominator = (rows + cols - tp)[ids]
        tp = tp[ids]
        valid = denominator > 1e-9
        iou = jnp.where(valid, tp / (denominator + _EPSILON), 0.0)
        return jnp.sum(iou, axis=self.axis) / (jnp.sum(valid.astype(jnp.float32)) + _EPSILON)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def _labels(self, y_true, y_pred):
        return y_true, jnp.asarray(y_pred, jnp.float32) >= self.threshold

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        if num_classes is None or int(num_classes) < 1:
            raise ValueError(f"{type(self).__name__} needs `num_classes`, a positive int. "
                             f"Received: num_classes={num_classes}")
        super().__init__(num_classes, list(range(num_classes)), name, dtype, ignore_class,
                         sparse_y_true, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name, dtype, ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config

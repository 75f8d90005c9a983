"""Crossentropy metrics: sample means of the loss functions (no reduction options)."""
import jax.numpy as jnp

from jkeras import losses
from jkeras.metrics.base import _FixedFn


class BinaryCrossentropy(_FixedFn):
    _args = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing


class CategoricalCrossentropy(_FixedFn):
    _args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(losses.categorical_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(_FixedFn):
    _args = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def values_and_mask(self, y_true, y_pred):
        # Keras attaches the ignore_class mask to the values; Mean uses it with weights
        y_pred = jnp.asarray(y_pred)
        if not jnp.issubdtype(y_pred.dtype, jnp.floating):
            y_pred = y_pred.astype(jnp.float32)
        return losses._sparse_xent(jnp.asarray(y_true), y_pred, self.from_logits,
                                   self.ignore_class, self.axis)

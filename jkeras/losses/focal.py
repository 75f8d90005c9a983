"""Focal and generalized crossentropies (Keras 3): binary_focal_crossentropy,
categorical_focal_crossentropy, categorical_generalized_cross_entropy and their classes."""
import warnings

import jax
import jax.numpy as jnp

from jkeras.losses.classes import _Builtin
from jkeras.losses.functions import _CROSSENTROPIES, EPSILON, _sigmoid_xent


def _float_pred(y_pred):
    y_pred = jnp.asarray(y_pred)
    return y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _float_pred(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # TF: the crossentropy uses the logits, p_t the probabilities
        bce = _sigmoid_xent(y_pred, y_true)
        y_pred = jax.nn.sigmoid(y_pred)
    else:
        p = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(y_true * jnp.log(p) + (1 - y_true) * jnp.log(1 - p))
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return jnp.mean(focal_bce, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _float_pred(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be "
                      "(batch_size, num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy' if "
                      "you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    cce = -y_true * jnp.log(output)
    return jnp.sum(jnp.power(1.0 - output, gamma) * alpha * cce, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p_true^q) / q for integer labels y_true (Zhang & Sabuncu, 2018)."""
    y_pred = _float_pred(y_pred)
    onehot = jax.nn.one_hot(jnp.asarray(y_true).astype(jnp.int32), y_pred.shape[-1],
                            dtype=y_pred.dtype)
    p = jnp.sum(y_pred * onehot, axis=-1)
    return (1 - jnp.power(p, q)) / q


# tf.keras uses a sigmoid output's logits in the crossentropy part (see call_with_mask)
_CROSSENTROPIES.append(binary_focal_crossentropy)


class BinaryFocalCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha",
             "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)


class CategoricalGeneralizedCrossEntropy(_Builtin):
    _args = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)

    def _cast_true(self, y_true):
        return jnp.asarray(y_true)  # integer labels stay integers

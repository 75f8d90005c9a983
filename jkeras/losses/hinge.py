"""Hinge losses (Keras 3): hinge, squared_hinge, categorical_hinge and their classes."""
import jax.numpy as jnp

from jkeras.losses.classes import _Builtin


def _float_pair(y_true, y_pred):
    y_pred = jnp.asarray(y_pred)
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(jnp.float32)
    return jnp.asarray(y_true, y_pred.dtype), y_pred


def convert_binary_labels_to_hinge(y_true):
    """0/1 labels become -1/1; labels already in another form are left as they are.
    As in Keras, the decision is made once for the whole batch."""
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, 0.0)


class Hinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)

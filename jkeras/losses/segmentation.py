"""Overlap losses (Keras 3): dice, tversky and their classes. With the default axis=None
they reduce the whole batch to one value."""
import jax.numpy as jnp

from jkeras.losses.classes import _Builtin
from jkeras.losses.functions import EPSILON
from jkeras.losses.hinge import _float_pair


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    y_true, y_pred = _float_pair(y_true, y_pred)
    axis = _axis(axis)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    score = 2.0 * intersection / (jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis)
                                  + EPSILON)
    return 1 - score


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    y_true, y_pred = _float_pair(y_true, y_pred)
    axis = _axis(axis)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    fp = jnp.sum((1 - y_pred) * y_true, axis=axis)
    fn = jnp.sum(y_pred * (1 - y_true), axis=axis)
    return 1 - intersection / (intersection + fp * alpha + fn * beta + EPSILON)


class Dice(_Builtin):
    _args = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(_Builtin):
    _args = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)

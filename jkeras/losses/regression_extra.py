"""Regression-style losses (Keras 3): log_cosh, cosine_similarity, kl_divergence, poisson."""
import jax
import jax.numpy as jnp

from jkeras.losses.classes import _Builtin
from jkeras.losses.functions import EPSILON
from jkeras.losses.hinge import _float_pair
from jkeras.losses.shapes import squeeze_or_expand_to_same_rank


def l2_normalize(x, axis=-1):
    """keras.ops.normalize(order=2): x * min(rsqrt(sum(x^2)), 1/epsilon)."""
    inv = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1.0 / EPSILON)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The loss form: minus the cosine similarity."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    return -jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


def log_cosh(y_true, y_pred):
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(x * -2.0) - jnp.log(2.0).astype(x.dtype), axis=-1)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = jnp.clip(y_true, EPSILON, 1)
    y_pred = jnp.clip(y_pred, EPSILON, 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + EPSILON), axis=-1)


class CosineSimilarity(_Builtin):
    # Keras's get_config leaves `axis` out (Loss.get_config); so do we.
    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class LogCosh(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class KLDivergence(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)

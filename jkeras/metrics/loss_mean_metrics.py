"""Sample means of losses, as Keras 3's metric classes: Hinge, SquaredHinge,
CategoricalHinge, KLDivergence, Poisson, CosineSimilarity, LogCoshError."""
import jax.numpy as jnp

from jkeras import losses
from jkeras.losses.hinge import _float_pair
from jkeras.losses.regression_extra import l2_normalize
from jkeras.losses.shapes import squeeze_or_expand_to_same_rank
from jkeras.metrics.base import _FixedFn


def cosine_similarity(y_true, y_pred, axis=-1):
    """The metric form (keras.metrics.CosineSimilarity): + the cosine, not its negative."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    return jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


class Hinge(_FixedFn):
    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name, dtype)


class SquaredHinge(_FixedFn):
    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name, dtype)


class CategoricalHinge(_FixedFn):
    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name, dtype)


class KLDivergence(_FixedFn):
    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name, dtype)


class Poisson(_FixedFn):
    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name, dtype)


class CosineSimilarity(_FixedFn):
    # Keras's get_config leaves `axis` out; so does ours (it is still used).
    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype, axis=axis)


class LogCoshError(_FixedFn):
    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name, dtype)

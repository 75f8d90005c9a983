"""Keras 3 losses as pure jnp functions plus thin Loss objects.

Numerics follow tf.keras (Keras 3, TensorFlow backend): probabilities are clipped to
[1e-7, 1 - 1e-7], categorical crossentropy renormalises probabilities first, sparse
crossentropy applies a log-softmax to log(clip(p)), and logits use the stable forms of
`tf.nn.*_cross_entropy_with_logits`. Everything works under jit / grad / vmap.
"""
from jkeras.losses.shapes import (  # noqa: F401
    align_shapes, check_crossentropy_shapes, check_regression_shapes, check_sparse_shapes,
    squeeze_or_expand_to_same_rank)
from jkeras.losses.functions import (  # noqa: F401
    BCE, EPSILON, MAE, MAPE, MSE, MSLE, bce, binary_crossentropy, call_with_mask,
    categorical_crossentropy, huber, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse,
    msle, sparse_categorical_crossentropy)
from jkeras.losses.reduction import (  # noqa: F401
    REDUCTIONS, apply_mask, reduce_values, reduce_weighted_values, standardize_reduction)
from jkeras.losses.classes import (  # noqa: F401
    BinaryCrossentropy, CategoricalCrossentropy, Huber, Loss, LossFunctionWrapper,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, SparseCategoricalCrossentropy)
from jkeras.losses.hinge import (  # noqa: F401
    CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge)
from jkeras.losses.regression_extra import (  # noqa: F401
    CosineSimilarity, KLDivergence, LogCosh, Poisson, cosine_similarity, kl_divergence,
    log_cosh, poisson)
from jkeras.losses.focal import (  # noqa: F401
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy, categorical_focal_crossentropy,
    categorical_generalized_cross_entropy)
from jkeras.losses.segmentation import Dice, Tversky, dice, tversky  # noqa: F401
from jkeras.losses.sequence import CTC, Circle, circle, ctc  # noqa: F401


from jkeras.core.naming import to_snake_case  # noqa: F401


# ----------------------------------------------------------------------------- lookup
# (class, its function, extra strings). Keras 3 accepts class names, function names and
# the short aliases; "huber_loss" (Huber's default name) is our addition.
_TABLE = [
    (MeanSquaredError, mean_squared_error, ("mse", "MSE")),
    (MeanAbsoluteError, mean_absolute_error, ("mae", "MAE")),
    (MeanAbsolutePercentageError, mean_absolute_percentage_error, ("mape", "MAPE")),
    (MeanSquaredLogarithmicError, mean_squared_logarithmic_error, ("msle", "MSLE")),
    (Huber, huber, ("huber_loss",)),
    (BinaryCrossentropy, binary_crossentropy, ("bce", "BCE")),
    (CategoricalCrossentropy, categorical_crossentropy, ()),
    (SparseCategoricalCrossentropy, sparse_categorical_crossentropy, ()),
    (Hinge, hinge, ()), (SquaredHinge, squared_hinge, ()),
    (CategoricalHinge, categorical_hinge, ()),
    (CosineSimilarity, cosine_similarity, ()), (LogCosh, log_cosh, ()),
    (KLDivergence, kl_divergence, ("kld", "KLD")),
    (Poisson, poisson, ()),
    (BinaryFocalCrossentropy, binary_focal_crossentropy, ()),
    (CategoricalFocalCrossentropy, categorical_focal_crossentropy, ()),
    (CategoricalGeneralizedCrossEntropy, categorical_generalized_cross_entropy, ()),
    (Dice, dice, ()), (Tversky, tversky, ()), (Circle, circle, ()), (CTC, ctc, ()),
]
_STRINGS = {k: cls for cls, fn, extra in _TABLE for k in (cls.__name__, fn.__name__, *extra)}
# Keras 3.15's losses.ALL_OBJECTS_DICT leaves these two out: no strings for them there.
for _name in ("CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy"):
    del _STRINGS[_name]
_FUNCTIONS = {fn.__name__: fn for _, fn, _ in _TABLE}
LossFunctionWrapper.known_functions.update(_FUNCTIONS)

# Names of keras.losses that jkeras does not provide, with the reason (read by
# tests/parity/test_catalogue_coverage.py; every other keras.losses name must exist here).
LEFT_OUT = {}


def _unknown(identifier):
    return ValueError(f"Could not interpret loss identifier: {identifier!r}. "
                      f"Valid names: {sorted(_STRINGS)}")


def get(identifier):
    """A Loss instance from a string, config dict, Loss, Loss class or callable."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _STRINGS:
            raise _unknown(identifier)
        return _STRINGS[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    for cls, fn, _ in _TABLE:  # Keras's own functions become their classes
        if identifier is fn:
            return cls()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise _unknown(identifier)


def serialize(loss):
    """Keras's `serialize_keras_object` layout."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return {"module": "builtins", "class_name": "function", "config": loss.__name__,
            "registered_name": "function"}


def deserialize(config, custom_objects=None):
    custom = custom_objects or {}
    if isinstance(config, str):
        return get(custom.get(config, config))
    if config.get("class_name") == "function":
        name = config["config"]
        return custom.get(name) or _FUNCTIONS[name]
    name = config["class_name"]
    classes = {**{c.__name__: c for c, _, _ in _TABLE}, "LossFunctionWrapper": LossFunctionWrapper}
    cls = custom.get(name) or classes.get(name)
    if cls is None:
        raise _unknown(name)
    return cls.from_config(config.get("config", {}))

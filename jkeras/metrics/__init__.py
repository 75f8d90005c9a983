"""Keras 3 metrics on JAX: pure state (init / update / result_from) + Keras facade.

History names, as tf.keras 3.15 `model.fit` logs them (checked in
tests/parity/test_metrics_parity.py by running fit):
  - a string is logged exactly as written: "accuracy", "acc", "mse", "mae", "msle",
    "mape", "mean_squared_error", "binary_accuracy", "top_k_categorical_accuracy",
    even "CategoricalAccuracy" (class-name strings keep their spelling);
  - a Metric instance under its own `.name` (MeanSquaredError() -> "mean_squared_error");
  - a plain function under its snake_cased __name__ (my_metric -> "my_metric");
  - repeats get "_1", "_2" suffixes; a weighted_metrics entry whose name is already
    taken becomes "weighted_<name>" (see `compile_result_names`);
  - validation copies are prefixed "val_". The loss is always logged as "loss".
Also from compile_utils: `metrics` are updated WITHOUT sample_weight, only
`weighted_metrics` receive it.
"""
from jkeras.losses import to_snake_case
from jkeras.metrics.accuracy import (
    Accuracy, AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, accuracy_kind,
    auto_accuracy, binary_accuracy, categorical_accuracy, in_top_k,  # noqa: F401
    sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from jkeras.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from jkeras.metrics.probabilistic import (
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)
from jkeras.metrics.regression import (
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, RootMeanSquaredError)
from jkeras.metrics.catalogue import *  # noqa: F401,F403  (the rest of Keras's catalogue)
from jkeras.metrics.catalogue import CATALOGUE_CLASSES, CATALOGUE_FUNCTIONS, check_string_metric

_CLASSES = (
    Mean, Sum, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, *CATALOGUE_CLASSES)
# Keras 3's metrics.ALL_OBJECTS_DICT: class names, their snake_case, and short aliases.
_STRINGS = {c.__name__: c for c in _CLASSES}
_STRINGS.update({to_snake_case(c.__name__): c for c in _CLASSES})
for _alias, _cls in (("bce", BinaryCrossentropy), ("mse", MeanSquaredError),
                     ("mae", MeanAbsoluteError), ("mape", MeanAbsolutePercentageError),
                     ("msle", MeanSquaredLogarithmicError)):
    _STRINGS[_alias] = _STRINGS[_alias.upper()] = _cls
_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, auto_accuracy,
    *CATALOGUE_FUNCTIONS)}
MeanMetricWrapper.known_functions.update(_FUNCTIONS)
_ACCURACY = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
             "categorical": CategoricalAccuracy, None: AutoAccuracy}

# Names of keras.metrics that jkeras does not provide, with the reason (read by
# tests/parity/test_catalogue_coverage.py; every other keras.metrics name must exist here).
LEFT_OUT = {}


def _unknown(identifier):
    return ValueError(f"Could not interpret metric identifier: {identifier!r}. Valid names: "
                      f"{sorted(['accuracy', 'acc', *_STRINGS])}")


def get(identifier, y_true_shape=None, y_pred_shape=None, loss=None):
    """Resolve a metric as Keras 3's compile() does (compile_utils.get_metric).

    "accuracy" / "acc" (any case) become binary / sparse categorical / categorical
    accuracy from the shapes (see `accuracy_kind`; `loss` only helps while shapes are
    unknown, and with neither an AutoAccuracy decides from the arrays it is given).
    Strings keep their spelling as the metric's name; instances keep theirs; callables are
    wrapped in MeanMetricWrapper under their snake_cased __name__."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            kind = accuracy_kind(y_true_shape, y_pred_shape, loss)
            return _ACCURACY[kind](name=identifier)
        if identifier not in _STRINGS:
            raise _unknown(identifier)
        metric = check_string_metric(identifier, _STRINGS[identifier])()
        metric.name = identifier
        return metric
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return check_string_metric(identifier.__name__, identifier)()
    if callable(identifier):
        name = getattr(identifier, "name", None) or to_snake_case(
            getattr(identifier, "__name__", type(identifier).__name__))
        return MeanMetricWrapper(identifier, name=name)
    raise _unknown(identifier)


def compile_result_names(metric_names, weighted_metric_names=()):
    """The log keys compile()'s metrics produce for one output, in order (Keras 3
    CompileMetrics.result): repeats get "_<i>", a weighted metric whose name is taken
    becomes "weighted_<name>"."""
    seen, out = {}, []
    for name in metric_names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name] - 1}"
        else:
            seen[name] = 1
        out.append(name)
    for name in weighted_metric_names:
        if name in seen:
            name = f"weighted_{name}"
            if name in seen:
                seen[name] += 1
                name = f"{name}_{seen[name] - 1}"
            else:
                seen[name] = 1
        else:
            seen[name] = 1
        out.append(name)
    return out


def serialize(metric):
    """Keras's `serialize_keras_object` layout."""
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    custom = custom_objects or {}
    if isinstance(config, str):
        return get(custom.get(config, config))
    name = config["class_name"]
    classes = {**{c.__name__: c for c in _CLASSES}, "MeanMetricWrapper": MeanMetricWrapper,
               "AutoAccuracy": AutoAccuracy}
    cls = custom.get(name) or classes.get(name)
    if cls is None:
        raise _unknown(name)
    return cls.from_config(config.get("config", {}))

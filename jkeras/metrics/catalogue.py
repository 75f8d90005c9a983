"""The rest of Keras 3's metric catalogue, gathered for jkeras.metrics: confusion-count
metrics, AUC, F-scores, IoUs, correlations, R2, loss means, and the function forms
keras.metrics exports (the loss functions, by the same objects as jkeras.losses)."""
import inspect

from jkeras.losses import (  # noqa: F401  (keras.metrics re-exports these loss functions)
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge)
from jkeras.metrics.auc import AUC
from jkeras.metrics.confusion_metrics import (
    FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives, TruePositives)
from jkeras.metrics.correlation_metrics import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation)
from jkeras.metrics.f_score_metrics import F1Score, FBetaScore
from jkeras.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from jkeras.metrics.loss_mean_metrics import (
    CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError, Poisson,
    SquaredHinge)
from jkeras.metrics.r2_score import R2Score

CATALOGUE_CLASSES = (
    AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    F1Score, FBetaScore, IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, R2Score,
    PearsonCorrelation, ConcordanceCorrelation, CosineSimilarity, LogCoshError, KLDivergence,
    Poisson, Hinge, SquaredHinge, CategoricalHinge)
CATALOGUE_FUNCTIONS = (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
    pearson_correlation, concordance_correlation)


def check_string_metric(identifier, cls):
    """`cls`, or a TypeError naming the metric when it cannot be built without arguments
    (Keras's own error there is Python's bare 'missing argument')."""
    required = [p.name for p in inspect.signature(cls.__init__).parameters.values()
                if p.default is inspect.Parameter.empty and p.name != "self"
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if required:
        args = ", ".join(f"{a}=..." for a in required)
        raise TypeError(f"Metric {identifier!r} ({cls.__name__}) needs arguments "
                        f"{required} and cannot be created from a name alone. Pass an "
                        f"instance instead, e.g. metrics=[{cls.__name__}({args})].")
    return cls


__all__ = [c.__name__ for c in CATALOGUE_CLASSES] + [f.__name__ for f in CATALOGUE_FUNCTIONS]

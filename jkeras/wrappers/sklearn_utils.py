"""The scikit-learn glue under the wrappers (Keras's keras/src/wrappers/utils.py and fixes.py):
data validation across scikit-learn versions, target typing, 1-D/2-D target reshaping, the
compiled-model check and metadata routing."""
import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils.multiclass import type_of_target as sk_type_of_target
    from sklearn.utils.validation import check_is_fitted
    try:
        from sklearn.utils.validation import validate_data as sk_validate_data
    except ImportError:  # scikit-learn < 1.6
        sk_validate_data = None
except ImportError:  # the wrappers then raise `assert_sklearn_installed`'s ImportError
    sklearn = None

    make_pipeline = OneHotEncoder = check_is_fitted = sk_type_of_target = sk_validate_data = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass


def assert_sklearn_installed(symbol_name):
    if sklearn is None:
        raise ImportError(f"{symbol_name} requires `scikit-learn` to be installed. "
                          "Run `pip install scikit-learn` to install it.")


def check_model(model):
    """Keras's check: the model to fit must be compiled with a loss and an optimizer."""
    if not getattr(model, "compiled", False) or not getattr(model, "loss", None) \
            or not getattr(model, "optimizer", None):
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer.")


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's `validate_data` (>= 1.6) or `BaseEstimator._validate_data` (older)."""
    if sk_validate_data is None:
        return estimator._validate_data(*args, **kwargs)
    return sk_validate_data(estimator, *args, **kwargs)


def type_of_target(y, input_name="", *, raise_unknown=False):
    """scikit-learn's `type_of_target`, raising for an "unknown" target when asked (Keras)."""
    target_type = sk_type_of_target(y, input_name=input_name)
    if raise_unknown and target_type == "unknown":
        raise ValueError(f"Unknown label type for {input_name or 'data'}: {y!r}")
    return target_type


def routing_enabled():
    """Whether scikit-learn's metadata routing is on (`sklearn.set_config(...)`)."""
    if sklearn is None:
        return False
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Turns 1-D targets into a column and back, for encoders that take 2-D input only.

    Attributes:
        ndim_: the number of dimensions of the `y` it was fitted on.
    """

    def fit(self, y):
        self.ndim_ = y.ndim
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        check_is_fitted(self)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y

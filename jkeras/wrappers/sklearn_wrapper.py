"""`SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer`: scikit-learn estimators around a
compiled model (Keras 3's keras/src/wrappers/sklearn_wrapper.py).

`model` is a compiled `Model` (cloned with its compile arguments before each fit unless
`warm_start=True`) or a callable `model(X=X, y=y, **model_kwargs)` that returns one. `fit` runs
`model.fit(X, y, **fit_kwargs, **kwargs)`; classifiers fit on one-hot targets and `predict` maps the
model's outputs back to the class labels (the arg-max per row), as Keras.
"""
import numpy as np

from jkeras.models import Model, clone_model
from jkeras.wrappers.sklearn_utils import (BaseEstimator, ClassifierMixin, OneHotEncoder,
                                           RegressorMixin, TargetReshaper, TransformerMixin,
                                           assert_sklearn_installed, check_is_fitted, check_model,
                                           make_pipeline, routing_enabled, sklearn,
                                           type_of_target, validate_data)


class SKLBase(BaseEstimator):
    """The estimator protocol shared by the three wrappers.

    Args:
        model: a compiled `Model`, or a callable taking at least `X` and `y` as keyword
            arguments (and the `model_kwargs`) that returns a compiled `Model`. A `Model` is
            cloned with `jkeras.models.clone_model` (and compiled as the original) before it is
            fitted, unless `warm_start=True`.
        warm_start: bool, defaults to `False`. When `True`, a given `Model` is fitted as it is
            (not cloned), and a second `fit` continues from the weights of the previous fit.
        model_kwargs: dict, defaults to `None`. Keyword arguments passed to `model` when it is
            a callable.
        fit_kwargs: dict, defaults to `None`. Keyword arguments passed to `model.fit`; those
            passed to the wrapper's `fit` take precedence.

    Attributes:
        model_: the fitted `Model`.
        history_: the `History` returned by `model.fit`.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        assert_sklearn_installed(self.__class__.__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    _legacy_tags = {}  # the subclasses' tags for scikit-learn < 1.6

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, **self._legacy_tags}

    def __sklearn_tags__(self):
        return self._keras_tags(super().__sklearn_tags__())

    def _keras_tags(self, tags):
        """Keras's tags: non-deterministic; classifiers and regressors `poor_score`; the
        transformer preserves no input dtype. Each wrapper applies them in its own
        `__sklearn_tags__`, after its scikit-learn mixin has added its tag group."""
        tags.non_deterministic = True
        for estimator_tags in (tags.classifier_tags, tags.regressor_tags):
            if estimator_tags is not None:
                estimator_tags.poor_score = True
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []
        return tags

    def __sklearn_clone__(self):
        """A new unfitted estimator with the same parameters (`sklearn.base.clone`); a `Model`
        given as `model` is shared, as in Keras, and cloned again when the clone is fitted."""
        return type(self)(model=self.model, warm_start=self.warm_start,
                          model_kwargs=self.model_kwargs, fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self):
        """The number of epochs the last `fit` ran (0 before the first fit)."""
        history = getattr(self, "history_", None)
        return len(history.epoch) if history is not None else 0

    def set_fit_request(self, **kwargs):
        """Request metadata for `fit` (scikit-learn's metadata routing), as
        `param_name=alias` with alias one of `True`, `False`, `None` or a string.

        Returns:
            self
        """
        if not routing_enabled():
            raise RuntimeError("This method is only available when metadata routing is "
                               "enabled. You can enable it using "
                               "sklearn.set_config(enable_metadata_routing=True).")
        self._metadata_request = sklearn.utils.metadata_routing.MetadataRequest(
            owner=self.__class__.__name__)
        for param, alias in kwargs.items():
            self._metadata_request.fit.add_request(param=param, alias=alias)
        return self

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            if self.warm_start:
                return self.model
            return clone_model(self.model)  # compiled as the original, as Keras
        if not callable(self.model):
            raise TypeError("`model` must be a compiled `Model` or a callable that returns "
                            f"one. Received: model={self.model!r} of type {type(self.model)}")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fit the model on `X` (n_samples, n_features) and `y` (n_samples,) or
        (n_samples, n_outputs); `kwargs` go to `model.fit`."""
        X, y = validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        check_model(model)
        self.history_ = model.fit(X, y, **{**(self.fit_kwargs or {}), **kwargs})
        self.model_ = model
        return self

    def _model_outputs(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def predict(self, X):
        """Predict with the fitted model (classifiers: the class labels)."""
        return self._reverse_process_target(self._model_outputs(X))

    def _process_target(self, y, reset=False):
        """Regressors and transformers: the target as it is (checked for a known type)."""
        type_of_target(y, raise_unknown=True)
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a compiled model (Keras 3's
    `keras.wrappers.SKLearnClassifier`).

    The targets are one-hot encoded for `model.fit` (so the model should output one column per
    class); `predict` returns the class label of each row's largest output, and
    `decision_function` the raw outputs. See `SKLBase` for the arguments.

    Attributes:
        model_: the fitted `Model`.
        history_: the `History` returned by `model.fit`.
        classes_: the class labels, sorted.
    """
    _legacy_tags = {"poor_score": True}

    def __sklearn_tags__(self):
        return self._keras_tags(super().__sklearn_tags__())

    def decision_function(self, X):
        """The model's raw outputs."""
        return self._model_outputs(X)

    def _process_target(self, y, reset=False):
        target_type = type_of_target(y, raise_unknown=True)
        if target_type not in ["binary", "multiclass"]:
            raise ValueError("Only binary and multiclass target types are supported."
                             f" Target type: {target_type}")
        if reset:
            self._target_encoder = make_pipeline(
                TargetReshaper(), OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A scikit-learn regressor around a compiled model (Keras 3's
    `keras.wrappers.SKLearnRegressor`): `predict` returns the model's outputs, squeezed back to
    1-D when the model was fitted on a 1-D `y`. See `SKLBase` for the arguments."""
    _legacy_tags = {"poor_score": True}

    def __sklearn_tags__(self):
        return self._keras_tags(super().__sklearn_tags__())


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer around a compiled model (Keras 3's
    `keras.wrappers.SKLearnTransformer`): `fit` trains the model on `(X, y)`, `transform`
    returns the model's outputs (e.g. embeddings) for a pipeline's next step. See `SKLBase` for
    the arguments."""
    _legacy_tags = {"preserves_dtype": []}

    def __sklearn_tags__(self):
        return self._keras_tags(super().__sklearn_tags__())

    def transform(self, X):
        """The fitted model's outputs for `X` (n_samples, n_features)."""
        return self._model_outputs(X)

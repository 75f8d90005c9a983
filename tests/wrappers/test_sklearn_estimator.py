"""The wrappers as scikit-learn estimators: the `check_estimator` checks Keras's own
sklearn_test.py passes (a fast selection of the fitting ones), the estimator protocol (params,
clone, tags, metadata routing), `warm_start`, and Keras's errors."""
import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import estimator_checks_generator

import jkeras
from jkeras import wrappers
from jkeras.wrappers import sklearn_utils
from jkeras.layers import Dense, Input
from jkeras.models import Model


def dynamic_model(X, y, loss, out_activation_function="softmax", layers=[10]):
    """Keras's sklearn_test.py model (a single output tensor)."""
    inp = Input(shape=(X.shape[1],))
    hidden = inp
    for layer_size in layers:
        hidden = Dense(layer_size, activation="relu")(hidden)
    n_outputs = y.shape[1] if len(y.shape) > 1 else 1
    model = Model(inp, Dense(n_outputs, activation=out_activation_function)(hidden))
    model.compile(loss=loss, optimizer="rmsprop")
    return model


ESTIMATORS = {
    "SKLearnClassifier": lambda: wrappers.SKLearnClassifier(
        model=dynamic_model, model_kwargs={"loss": "categorical_crossentropy",
                                           "layers": [20, 20, 20]},
        fit_kwargs={"epochs": 5, "verbose": 0}),
    "SKLearnRegressor": lambda: wrappers.SKLearnRegressor(
        model=dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs={"verbose": 0}),
    "SKLearnTransformer": lambda: wrappers.SKLearnTransformer(
        model=dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs={"verbose": 0}),
}
# Keras's expected failures (its sklearn_test.py); they are not run.
EXPECTED_FAILED = {
    "SKLearnClassifier": ["check_classifiers_regression_target",
                          "check_parameters_default_constructible",
                          "check_classifiers_one_label_sample_weights",
                          "check_classifiers_classes", "check_classifier_data_not_an_array",
                          "check_supervised_y_2d", "check_fit_idempotent",
                          "check_classifiers_train"],
    "SKLearnRegressor": ["check_parameters_default_constructible"],
    "SKLearnTransformer": ["check_parameters_default_constructible"],
}
# Every check that does not fit runs; of those that fit a model (a compile each, seconds on a
# CPU) a selection runs here. All the checks Keras's test passes also pass here (add their
# names to FITTING_CHECKS to run them: about 5 minutes on two cores).
FITTING_CHECKS = {
    "SKLearnClassifier": {"check_fit2d_predict1d", "check_n_features_in_after_fitting",
                          "check_estimators_nan_inf", "check_fit2d_1feature"},
    "SKLearnRegressor": {"check_regressors_no_decision_function", "check_fit2d_1sample",
                         "check_estimators_fit_returns_self", "check_readonly_memmap_input"},
    "SKLearnTransformer": {"check_fit_check_is_fitted", "check_dict_unchanged",
                           "check_f_contiguous_array_estimator"},
}
FAST_CHECKS = {  # checks that never fit a model
    "check_estimator_cloneable", "check_estimator_tags_renamed", "check_valid_tag_types",
    "check_estimator_repr", "check_no_attributes_set_in_init", "check_estimators_unfitted",
    "check_do_not_raise_errors_in_init_or_set_params", "check_mixin_order",
    "check_complex_data", "check_estimators_empty_data_messages", "check_estimator_sparse_tag",
    "check_estimator_sparse_array", "check_estimator_sparse_matrix",
    "check_classifiers_one_label", "check_estimators_partial_fit_n_features",
    "check_supervised_y_no_nan", "check_non_transformer_estimators_n_iter",
    "check_decision_proba_consistency", "check_fit1d", "check_requires_y_none",
    "check_get_params_invariance", "check_set_params", "check_transformer_n_iter",
    "check_parameters_default_constructible", "check_transformers_unfitted",
    "check_transformer_preserve_dtypes",
}


def _check_name(check):
    return getattr(check, "func", check).__name__


def _cases():
    for name, make in ESTIMATORS.items():
        seen = set()
        for est, check in estimator_checks_generator(make(), legacy=True, mark=None):
            check_name = _check_name(check)
            if check_name in EXPECTED_FAILED[name] or check_name in seen:
                continue
            if check_name in FAST_CHECKS or check_name in FITTING_CHECKS[name]:
                seen.add(check_name)
                yield pytest.param(est, check, id=f"{name}-{check_name}")


@pytest.mark.parametrize("estimator,check", list(_cases()))
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_selected_checks_exist():
    # The selection above names real checks (a renamed check would otherwise drop silently).
    names = {_check_name(case.values[1]) for case in _cases()}
    for name in ESTIMATORS:
        assert FITTING_CHECKS[name] <= names


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=30, n_features=4, n_informative=2, n_classes=2,
                               random_state=0)
    return X, y


def _classifier(**kwargs):
    return wrappers.SKLearnClassifier(
        model=dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
        fit_kwargs={"epochs": 1, "verbose": 0}, **kwargs)


def test_params_and_clone_keep_every_argument():
    est = _classifier(warm_start=True)
    assert est.get_params() == {"model": dynamic_model, "warm_start": True,
                                "model_kwargs": {"loss": "categorical_crossentropy"},
                                "fit_kwargs": {"epochs": 1, "verbose": 0}}
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    copy.set_params(model_kwargs={"loss": "mse"}, fit_kwargs={"epochs": 2})
    assert copy.model_kwargs == {"loss": "mse"} and copy.fit_kwargs == {"epochs": 2}
    assert est.model_kwargs == {"loss": "categorical_crossentropy"}


def test_tags_as_keras():
    assert wrappers.SKLearnClassifier(model=dynamic_model).__sklearn_tags__().non_deterministic
    assert wrappers.SKLearnClassifier(
        model=dynamic_model).__sklearn_tags__().classifier_tags.poor_score
    assert wrappers.SKLearnRegressor(
        model=dynamic_model).__sklearn_tags__().regressor_tags.poor_score
    assert wrappers.SKLearnTransformer(
        model=dynamic_model).__sklearn_tags__().transformer_tags.preserves_dtype == []
    assert not hasattr(wrappers.SKLearnClassifier(model=dynamic_model), "predict_proba")


def test_warm_start_continues_from_the_previous_fit(tf, data):
    # warm_start=True: the second fit trains the same model further, as one longer fit would
    # (SGD without momentum, no shuffling); compared with a tf.keras model fitted 4 epochs.
    X, y = data
    rs = np.random.RandomState(3)
    weights = [rs.uniform(-0.5, 0.5, s).astype("float32") for s in [(4, 2), (2,)]]

    def build(keras):
        inp = keras.Input((4,))
        m = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
        m.set_weights(weights)
        m.compile(optimizer=keras.optimizers.SGD(0.3), loss="categorical_crossentropy")
        return m

    fit = {"epochs": 2, "batch_size": 8, "shuffle": False, "verbose": 0}
    est = wrappers.SKLearnClassifier(model=lambda X, y: build(jkeras), warm_start=True,
                                     fit_kwargs=fit)
    first = est.fit(X, y).model_
    assert est.fit(X, y).model_ is first
    ref = build(tf.keras)
    ref.fit(X, np.eye(2)[y], epochs=4, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(est.decision_function(X), ref.predict(X, verbose=0),
                               rtol=1e-4, atol=1e-4)
    # A given compiled Model is fitted in place (not cloned) under warm_start.
    given = build(jkeras)
    est = wrappers.SKLearnClassifier(model=given, warm_start=True, fit_kwargs=fit).fit(X, y)
    assert est.model_ is given


def test_set_fit_request_routes_sample_weight(data):
    X, y = data
    with pytest.raises(RuntimeError, match="only available when metadata routing is enabled"):
        _classifier().set_fit_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        est = _classifier().set_fit_request(sample_weight=True)
        routing = est.get_metadata_routing()
        assert routing.fit.requests == {"sample_weight": True}


def test_errors_as_keras(tf, data):
    X, y = data

    def uncompiled(X, y):
        inp = Input((X.shape[1],))
        return Model(inp, Dense(2)(inp))

    for module in (wrappers, tf.keras.wrappers):
        with pytest.raises(RuntimeError, match="Given model needs to be compiled, and have a "
                                               "loss and an optimizer."):
            module.SKLearnClassifier(model=uncompiled).fit(X, y)
        with pytest.raises(ValueError, match="Classifier can't train when only one class is "
                                             "present."):
            module.SKLearnClassifier(model=dynamic_model).fit(X, np.zeros(len(X)))
        with pytest.raises(ValueError, match="Only binary and multiclass target types are "
                                             "supported. Target type: continuous"):
            module.SKLearnClassifier(model=dynamic_model).fit(X, X[:, 0])
        with pytest.raises(NotFittedError):
            module.SKLearnRegressor(model=dynamic_model).predict(X)
    est = _classifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but SKLearnClassifier is "
                                         "expecting 4 features as input"):
        est.predict(X[:, :3])
    with pytest.raises(TypeError, match="`model` must be a compiled `Model` or a callable"):
        wrappers.SKLearnRegressor(model="mlp").fit(X, y.astype("float32"))


def test_missing_scikit_learn_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sklearn_utils, "sklearn", None)
    with pytest.raises(ImportError, match=r"SKLearnRegressor requires `scikit-learn` to be "
                                          r"installed. Run `pip install scikit-learn`"):
        wrappers.SKLearnRegressor(model=dynamic_model)


def test_namespace():
    assert jkeras.wrappers.__all__ == ["SKLearnClassifier", "SKLearnRegressor",
                                       "SKLearnTransformer"]
    with pytest.raises(AttributeError, match="has no attribute 'KerasClassifier'"):
        jkeras.wrappers.KerasClassifier

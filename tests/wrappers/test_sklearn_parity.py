"""The scikit-learn wrappers against tf.keras's (`tf.keras.wrappers`): the same data, the same
initial weights and the same fit arguments give the same fitted estimator (predictions within
1e-4), alone, in a Pipeline and in GridSearchCV."""
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import jkeras
from jkeras import wrappers

TOL = dict(rtol=1e-4, atol=1e-4)
FIT = {"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0}


def builder(keras, out_activation="softmax", loss="categorical_crossentropy", hidden=(8,),
            lr=0.1):
    """A `model(X, y, **model_kwargs)` callable on `keras` (tf.keras or jkeras) whose initial
    weights are drawn from NumPy with a fixed seed, so both libraries start equal."""
    def model(X, y, units=hidden):
        inp = keras.Input(shape=(X.shape[1],))
        h = inp
        for n in units:
            h = keras.layers.Dense(n, activation="tanh")(h)
        out = keras.layers.Dense(y.shape[1] if y.ndim > 1 else 1, activation=out_activation)(h)
        m = keras.Model(inp, out)
        rs = np.random.RandomState(7)
        m.set_weights([rs.uniform(-0.5, 0.5, w.shape).astype("float32")
                       for w in m.get_weights()])
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss)
        return m
    return model


@pytest.fixture(scope="module")
def cls_data():
    X, y = make_classification(n_samples=48, n_features=5, n_informative=3, n_classes=3,
                               random_state=0)
    return X, np.array(["ant", "bee", "cat"])[y]  # string labels: encoded and decoded


def test_classifier_equals_tf_keras(tf, cls_data):
    X, y = cls_data
    ours = wrappers.SKLearnClassifier(model=builder(jkeras), fit_kwargs=FIT).fit(X, y)
    ref = tf.keras.wrappers.SKLearnClassifier(model=builder(tf.keras), fit_kwargs=FIT).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), **TOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.predict(X).dtype == ref.predict(X).dtype
    assert ours.score(X, y) == pytest.approx(ref.score(X, y))
    np.testing.assert_allclose(ours.history_.history["loss"], ref.history_.history["loss"],
                               **TOL)
    assert ours.n_features_in_ == ref.n_features_in_ == 5
    assert ours.epoch_ == 3


def test_binary_classifier_sigmoid_one_hot(tf):
    # Keras one-hot encodes binary targets too: a 2-unit output, argmax back to the labels.
    X, y = make_classification(n_samples=40, n_features=4, random_state=1)
    fit = {**FIT, "epochs": 2}
    ours = wrappers.SKLearnClassifier(
        model=builder(jkeras, "sigmoid", "binary_crossentropy"), fit_kwargs=fit).fit(X, y)
    ref = tf.keras.wrappers.SKLearnClassifier(
        model=builder(tf.keras, "sigmoid", "binary_crossentropy"), fit_kwargs=fit).fit(X, y)
    assert ours.model_.output_shape == (None, 2)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), **TOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.decision_function(X[:1]).argmax(-1) == ours.predict(X[:1])


def test_regressor_equals_tf_keras(tf):
    X, y = make_regression(n_samples=40, n_features=4, noise=0.1, random_state=0)
    y = y / np.abs(y).max()
    b = dict(out_activation=None, loss="mse", lr=0.05)
    ours = wrappers.SKLearnRegressor(model=builder(jkeras, **b), fit_kwargs=FIT).fit(X, y)
    ref = tf.keras.wrappers.SKLearnRegressor(model=builder(tf.keras, **b), fit_kwargs=FIT)
    ref.fit(X, y)
    assert ours.predict(X).shape == ref.predict(X).shape == y.shape
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), **TOL)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-4)


@pytest.mark.parametrize("name", ["SKLearnRegressor", "SKLearnTransformer"])
def test_two_d_targets_rejected_as_keras(tf, name):
    # Keras's regressor and transformer are single-output estimators for scikit-learn.
    X, y = make_regression(n_samples=20, n_features=4, n_targets=2, random_state=0)
    b = dict(out_activation=None, loss="mse")
    for module, keras in ((wrappers, jkeras), (tf.keras.wrappers, tf.keras)):
        est = getattr(module, name)(model=builder(keras, **b), fit_kwargs=FIT)
        with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape "
                                             r"\(20, 2\) instead"):
            est.fit(X, y)


def test_transformer_equals_tf_keras(tf):
    X, y = make_regression(n_samples=32, n_features=4, random_state=2)
    y = y / np.abs(y).max()
    b = dict(out_activation="tanh", loss="mse")
    ours = wrappers.SKLearnTransformer(model=builder(jkeras, **b), fit_kwargs=FIT)
    ref = tf.keras.wrappers.SKLearnTransformer(model=builder(tf.keras, **b), fit_kwargs=FIT)
    np.testing.assert_allclose(ours.fit_transform(X, y), ref.fit_transform(X, y), **TOL)
    np.testing.assert_allclose(ours.transform(X[:5]), ref.transform(X[:5]), **TOL)


def test_compiled_model_instance_is_cloned_and_recompiled(tf, cls_data):
    # A compiled Model: cloned (new weights, here the deterministic zeros) and compiled as the
    # original before fitting; the given model stays untouched.
    X, y = cls_data

    def logistic(keras):
        inp = keras.Input(shape=(5,))
        m = keras.Model(inp, keras.layers.Dense(3, activation="softmax",
                                                kernel_initializer="zeros")(inp))
        m.compile(optimizer=keras.optimizers.SGD(0.2), loss="categorical_crossentropy")
        return m

    given = logistic(jkeras)
    before = [w.copy() for w in given.get_weights()]
    ours = wrappers.SKLearnClassifier(model=given, fit_kwargs=FIT).fit(X, y)
    ref = tf.keras.wrappers.SKLearnClassifier(model=logistic(tf.keras), fit_kwargs=FIT).fit(X, y)
    assert ours.model_ is not given
    for a, b in zip(given.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), **TOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_fit_kwargs_from_fit_take_precedence(tf, cls_data):
    X, y = cls_data
    ours = wrappers.SKLearnClassifier(model=builder(jkeras), fit_kwargs={**FIT, "epochs": 1})
    ref = tf.keras.wrappers.SKLearnClassifier(model=builder(tf.keras),
                                              fit_kwargs={**FIT, "epochs": 1})
    ours.fit(X, y, epochs=2)
    ref.fit(X, y, epochs=2)
    assert len(ours.history_.history["loss"]) == 2
    assert ours.fit_kwargs["epochs"] == 1  # the parameter itself is left as given
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), **TOL)


def test_pipeline_equals_tf_keras(tf, cls_data):
    X, y = cls_data
    ours = make_pipeline(StandardScaler(),
                         wrappers.SKLearnClassifier(model=builder(jkeras), fit_kwargs=FIT))
    ref = make_pipeline(StandardScaler(), tf.keras.wrappers.SKLearnClassifier(
        model=builder(tf.keras), fit_kwargs=FIT))
    ours.fit(X, y)
    ref.fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), **TOL)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y))


def test_grid_search_equals_tf_keras(tf, cls_data):
    X, y = cls_data
    grid = {"model_kwargs": [{"units": (4,)}, {"units": (8, 8)}]}
    fit = {**FIT, "epochs": 2}
    # Keras's `clone` drops `fit_kwargs` (ours keeps them): pass them through `fit` for both.
    ours = GridSearchCV(wrappers.SKLearnClassifier(model=builder(jkeras)), grid, cv=2)
    ref = GridSearchCV(tf.keras.wrappers.SKLearnClassifier(model=builder(tf.keras)), grid, cv=2)
    ours.fit(X, y, **fit)
    ref.fit(X, y, **fit)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"], atol=1e-12)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))

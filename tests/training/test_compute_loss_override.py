"""A model that overrides only `compute_loss` (Keras's distillers do): fit and evaluate run it,
and metric trackers it updates reach the logs, as in Keras 3."""
import numpy as np
import pytest

import jkeras


def _model_class(keras):
    class StudentModel(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(1)
            self.student_loss_tracker = keras.metrics.Mean(name="student_loss")

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            loss = keras.ops.mean((y - y_pred) ** 2)
            self.student_loss_tracker.update_state(loss * 2)
            return loss

    return StudentModel


def _data():
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    return x, x.sum(1, keepdims=True)


def test_fit_and_evaluate_use_an_overridden_compute_loss_as_tf_keras(tf):
    x, y = _data()
    ours, theirs = _model_class(jkeras)(), _model_class(tf.keras)()
    ours(x[:1]), theirs(x[:1])
    ours.set_weights(theirs.get_weights())
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss=None)
    h_ours = ours.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    h_theirs = theirs.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    assert list(h_ours) == list(h_theirs) == ["loss", "student_loss"]
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4)
    assert h_ours["loss"][-1] < h_ours["loss"][0]
    e_ours = ours.evaluate(x, y, verbose=0, return_dict=True)
    e_theirs = theirs.evaluate(x, y, verbose=0, return_dict=True)
    for key in e_theirs:
        np.testing.assert_allclose(e_ours[key], e_theirs[key], rtol=1e-4)
    # the tracker's own state is untouched by the compiled loop's tracing
    assert np.isfinite(float(ours.student_loss_tracker.result()))


def test_compute_metrics_and_get_metrics_result_as_keras(tf):
    x, y = _data()
    results = []
    for keras in (jkeras, tf.keras):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        model.evaluate(x, y, verbose=0)  # builds the compiled metrics
        for metric in model.metrics:
            metric.reset_state()
        logs = model.compute_metrics(x, y, np.zeros_like(y))
        results.append({k: float(v) for k, v in logs.items()})
    assert results[0].keys() == results[1].keys()
    for key in results[1]:
        assert results[0][key] == pytest.approx(results[1][key], rel=1e-6)


def test_an_ensemble_refuses_an_overridden_compute_loss():
    model_cls = _model_class(jkeras)

    def build():
        model = model_cls()
        model.compile(optimizer="sgd", loss=None)
        return model

    ensemble = jkeras.Ensemble(build, n=2)
    x, y = _data()
    with pytest.raises(ValueError, match="compute_loss"):
        ensemble.fit(x, y, epochs=1, verbose=0)

"""Thresholded metrics (array states: confusion counts, AUC's 200 thresholds, F1's per-class
sums, a multi-label AUC sized by compile) inside fit's jitted, scanned loop give the same
epoch values as the metrics computed eagerly on the model's predictions, batch by batch."""
import numpy as np

import jkeras
from jkeras import layers, metrics


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype("float32")
    y = (x[:, :1] + 0.5 * rng.standard_normal((n, 1)) > 0).astype("float32")
    return x, y


def _metrics():
    return [metrics.Precision(), metrics.Recall(), metrics.AUC(),
            metrics.AUC(curve="PR", multi_label=True, name="pr_auc"),
            metrics.F1Score(average="micro", threshold=0.5), "auc"]


def _eager(model, x, y, batch_size):
    """Each metric updated eagerly over the same batches of the model's predictions."""
    pred = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    out = {}
    for m in _metrics():
        m = metrics.get(m, y.shape, pred.shape)
        for i in range(0, len(x), batch_size):
            m.update_state(y[i:i + batch_size], pred[i:i + batch_size])
        out[m.name] = np.asarray(m.result())
    return out


def _model(lr):
    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(4, activation="tanh"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(jkeras.optimizers.SGD(lr), "binary_crossentropy", metrics=_metrics())
    return model


def test_train_metrics_match_eager_metrics_on_predictions():
    x, y = _data()
    model = _model(lr=0.0)  # frozen weights: every batch is scored by the same model
    hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    expected = _eager(model, x, y, 8)
    assert set(expected) <= set(hist.history)
    for name, value in expected.items():
        for epoch in range(2):  # states are reset per epoch, not carried over
            np.testing.assert_allclose(hist.history[name][epoch], value, rtol=1e-5,
                                       err_msg=name)
    assert 0.0 < expected["auc"] < 1.0 and expected["precision"] > 0.0


def test_validation_metrics_after_training_match_eager_metrics():
    x, y = _data()
    xv, yv = _data(n=27, seed=1)  # a partial last batch
    model = _model(lr=0.5)
    hist = model.fit(x, y, batch_size=8, epochs=3, verbose=0, validation_data=(xv, yv))
    expected = _eager(model, xv, yv, 8)
    for name, value in expected.items():
        np.testing.assert_allclose(hist.history[f"val_{name}"][-1], value, rtol=1e-5,
                                   err_msg=name)
    logs = model.evaluate(xv, yv, batch_size=8, verbose=0, return_dict=True)
    for name, value in expected.items():
        np.testing.assert_allclose(logs[name], value, rtol=1e-5, err_msg=name)

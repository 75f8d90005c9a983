"""fit trajectories against tf.keras (Keras 3.15, TF backend) with the catalogue's losses and
metrics compiled in: history (loss and every metric, train and validation) and weights.

Same architecture, weights copied from tf.keras, shuffle=False; 120 samples in batches of 32
(the last one partial), 3 epochs."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import jkeras  # noqa: E402
from jkeras import layers  # noqa: E402

N, D, H, EPOCHS, BS = 120, 5, 8, 3, 32


def _data(kind):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((N, D)).astype("float32")
    if kind == "binary":
        return x, (x[:, :1] + rng.standard_normal((N, 1)) > 0).astype("float32")
    if kind == "onehot":
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, N)]
    if kind == "counts":
        return x, rng.poisson(1.5, (N, 2)).astype("float32")
    return x, rng.standard_normal((N, 2)).astype("float32")


def _setup(mod, case):
    L, M = mod.losses, mod.metrics
    return {  # built lazily: Keras numbers unnamed metrics per session ("auc_1")
        "focal": lambda: (L.BinaryFocalCrossentropy(gamma=1.5), "sigmoid", 1, "binary",
                  [M.AUC(), M.Precision(), M.Recall(), M.F1Score(average="macro"),
                   M.AUC(curve="PR", name="pr_auc"), "true_positives"]),
        "hinge": lambda: (L.Hinge(), "tanh", 1, "binary", ["hinge", M.BinaryIoU(), "precision"]),
        "cat_focal": lambda: (L.CategoricalFocalCrossentropy(), "softmax", 3, "onehot",
                      [M.AUC(multi_label=True), M.OneHotMeanIoU(3), "categorical_hinge",
                       M.FBetaScore(beta=2.0, average="weighted"),
                       M.Precision(top_k=1), M.Recall(class_id=2)]),
        "poisson": lambda: (L.Poisson(), "softplus", 2, "counts",
                    ["poisson", M.R2Score(), "kl_divergence"]),
        "logcosh": lambda: (L.LogCosh(), None, 2, "regression",
                    [M.PearsonCorrelation(), M.ConcordanceCorrelation(), "cosine_similarity",
                     M.LogCoshError(), M.R2Score(class_aggregation="variance_weighted_average")]),
    }[case]()


@pytest.mark.parametrize("case", ["focal", "hinge", "cat_focal", "poisson", "logcosh"])
def test_fit_with_catalogue_losses_and_metrics_matches_tf_keras(tf, case):
    loss_t, act, out, kind, metrics_t = _setup(tf.keras, case)
    loss_j, _, _, _, metrics_j = _setup(jkeras, case)
    x, y = _data(kind)
    K = tf.keras
    tm = K.Sequential([K.Input((D,)), K.layers.Dense(H, activation="tanh"),
                       K.layers.Dense(out, activation=act)])
    jm = jkeras.Sequential([jkeras.Input((D,)), layers.Dense(H, activation="tanh"),
                            layers.Dense(out, activation=act)])
    jm.set_weights(tm.get_weights())
    tm.compile(K.optimizers.Adam(0.01), loss_t, metrics=metrics_t)
    jm.compile(jkeras.optimizers.Adam(0.01), loss_j, metrics=metrics_j)
    kw = dict(batch_size=BS, epochs=EPOCHS, shuffle=False, verbose=0,
              validation_data=(x[:50], y[:50]))
    ht, hj = tm.fit(x, y, **kw), jm.fit(x, y, **kw)
    assert list(hj.history) == list(ht.history)
    for k in ht.history:
        np.testing.assert_allclose(hj.history[k], ht.history[k], rtol=1e-4, atol=1e-6,
                                   err_msg=k)
    for a, b in zip(jm.get_weights(), tm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_saved_compile_config_reloads_in_both_libraries(tf, tmp_path):
    """A .keras file of a model compiled with catalogue objects loads back (same loss
    arguments, same evaluate logs) in jkeras and in tf.keras."""
    x, y = _data("binary")
    model = jkeras.Sequential([jkeras.Input((D,)), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", jkeras.losses.BinaryFocalCrossentropy(gamma=3.0),
                  metrics=[jkeras.metrics.AUC(num_thresholds=50),
                           jkeras.metrics.Precision(thresholds=0.3), "recall",
                           jkeras.metrics.F1Score(average="macro")])
    model.fit(x, y, batch_size=BS, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    expected = model.evaluate(x, y, batch_size=BS, verbose=0, return_dict=True)
    ours = jkeras.saving.load_model(path)
    assert ours.loss.get_config() == model.loss.get_config()
    theirs = tf.keras.models.load_model(path)
    for logs in (ours.evaluate(x, y, batch_size=BS, verbose=0, return_dict=True),
                 theirs.evaluate(x, y, batch_size=BS, verbose=0, return_dict=True)):
        assert logs.keys() == expected.keys()
        for k in expected:
            np.testing.assert_allclose(logs[k], expected[k], rtol=1e-5, err_msg=k)

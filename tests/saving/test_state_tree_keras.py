"""`get_state_tree` / `set_state_tree` and Orbax checkpoints against Keras 3 on JAX (run once per
module in a subprocess, keras_jax_state_tree.py): the same paths, shapes, dtypes and values as
Keras's state tree for a Sequential, a functional model with a nested model and a frozen
layer, a subclassed model, an LSTM, and the optimizers SGD (schedule, nesterov), Adam, Adam
with EMA, RMSprop (centered), LossScaleOptimizer(Adam), MultiOptimizer(Nadam, Adam); jkeras's
OrbaxCheckpoint directories load in Keras and Keras's in jkeras, where training resumes from
their state."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("orbax.checkpoint")

import jkeras  # noqa: E402
from jkeras.saving import state_tree  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from state_tree_cases import CASES, build, fit_args  # noqa: E402

HERE = pathlib.Path(__file__).parent
RESUMED = ("sequential", "loss_scale")
MODEL_SECTIONS = ("trainable_variables", "non_trainable_variables", "optimizer_variables")


def flat(tree):
    return {f"{section}/{path}": np.asarray(v) for section in tree
            for path, v in state_tree.flatten(tree[section]).items()}


def load_npz(path):
    with np.load(path) as f:
        return {k.replace("|", "/"): f[k] for k in f.files}


def predictions(model, x):
    out = model.predict(x, verbose=0)
    return np.concatenate([np.ravel(o) for o in out]) if isinstance(out, list) else out


def keras_only(path):
    """Keras entries jkeras has no object for: seed generators, per-output loss trackers."""
    return path.endswith("seed_generator_state") or path.startswith("metrics_variables/"
                                                                    "compile_loss/")


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    work = tmp_path_factory.mktemp("state_tree")
    ours = {}
    for case in CASES:
        model = build(jkeras, case)
        x, y = fit_args(case)
        callbacks = [] if case == "subclassed" else [
            jkeras.callbacks.OrbaxCheckpoint(work / f"jk_{case}")]  # Keras has no `Sub` class
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=callbacks)
        model.save_weights(work / f"{case}.weights.h5")
        ours[case] = {"tree": flat(model.get_state_tree("numpy_array")),
                      "predictions": predictions(model, x)}
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(HERE / "keras_jax_state_tree.py"), str(work)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work, ours, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES)
def test_structure_is_keras(sides, case):
    _, ours, theirs = sides
    keras = theirs[case]
    assert "error" not in keras, keras.get("error")
    mine = {p: [list(v.shape), str(v.dtype)] for p, v in ours[case]["tree"].items()}
    expected = {p: v for p, v in keras["after_evaluate"].items() if not keras_only(p)}
    assert mine == expected
    assert list(mine) == [p for p in keras["after_evaluate"] if not keras_only(p)]  # order too


@pytest.mark.parametrize("case", CASES)
def test_values_are_keras(sides, case):
    """Keras loaded jkeras's `.weights.h5` (by order); each path holds the same value."""
    work, ours, theirs = sides
    keras = load_npz(work / f"k_{case}.npz")
    mine = {p: v for p, v in ours[case]["tree"].items() if p.split("/")[0] in MODEL_SECTIONS}
    assert set(mine) == {p for p in keras if p.split("/")[0] in MODEL_SECTIONS and
                         not keras_only(p)}
    for path, value in mine.items():
        np.testing.assert_allclose(value, keras[path], rtol=1e-6, err_msg=path)
        assert value.dtype == keras[path].dtype, path


@pytest.mark.parametrize("case", [c for c in CASES if c != "subclassed"])
def test_jkeras_checkpoint_loads_in_keras(sides, case):
    """Keras's `model.load_weights(dir)` (its optimizer built first: Keras assigns only the
    variables that exist) holds what jkeras reads back from the same directory."""
    work, _, theirs = sides
    keras = load_npz(work / f"k_from_jk_{case}.npz")
    x, _ = fit_args(case)
    model = build(jkeras, case)
    model.load_weights(work / f"jk_{case}")
    np.testing.assert_allclose(keras["predictions"].ravel(), predictions(model, x).ravel(),
                               rtol=1e-6, atol=1e-6)
    mine = flat(model.get_state_tree("numpy_array"))
    for path, value in mine.items():
        if path.split("/")[0] in MODEL_SECTIONS:
            np.testing.assert_array_equal(keras[path], value, err_msg=path)
    assert theirs[case]["from_jk_iterations"] == 3  # 24 samples, batches of 8
    # keras.saving.load_model(dir) works as well as with Keras's own checkpoints: Keras
    # 3.15 rebuilds a Sequential's layers (also one nested in a functional model) outside
    # its name scope, so their paths lose the model's name and nothing is assigned
    own, ours = theirs[case]["own_load_model_diff"], theirs[case]["load_model_diff"]
    assert (ours < 1e-6) == (own < 1e-6), (ours, own)
    if case == "loss_scale":  # a functional model of plain layers
        assert ours < 1e-6
    assert theirs[case]["load_model_iterations"] == 3


@pytest.mark.parametrize("case", RESUMED)
def test_keras_checkpoint_loads_in_jkeras_and_training_resumes(sides, case):
    work, _, theirs = sides
    keras = load_npz(work / f"k_ckpt_{case}.npz")
    x, y = fit_args(case)
    model = build(jkeras, case)
    model.load_weights(work / f"k_ckpt_{case}")
    np.testing.assert_allclose(predictions(model, x).ravel(), keras["predictions"].ravel(),
                               rtol=1e-6, atol=1e-6)
    mine = flat(model.get_state_tree("numpy_array"))
    for path, value in mine.items():
        if path.split("/")[0] in MODEL_SECTIONS:
            np.testing.assert_array_equal(value, keras[path], err_msg=path)
    # the loss tracker took Keras's accumulators (the compiled metrics are built by the fit)
    np.testing.assert_allclose(float(model.metrics[0].result()),
                               keras["metrics_variables/loss/total"] /
                               keras["metrics_variables/loss/count"], rtol=1e-6)
    assert int(model.optimizer.iterations) == 6
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations) == theirs[case]["resumed_iterations"] == 9
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, keras[f"resumed_weight_{i}"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(predictions(model, x).ravel(),
                               keras["resumed_predictions"].ravel(), rtol=1e-4, atol=1e-5)
    if case == "sequential":
        loaded = jkeras.saving.load_model(work / f"k_ckpt_{case}")
        np.testing.assert_allclose(predictions(loaded, x), keras["predictions"], rtol=1e-6,
                                   atol=1e-6)
        assert int(loaded.optimizer.iterations) == 6


def test_metric_variables_round_trip_into_the_compiled_metrics(sides):
    work, _, _ = sides
    keras = load_npz(work / "k_ckpt_sequential.npz")
    x, y = fit_args("sequential")
    model = build(jkeras, "sequential")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # builds the compiled metrics
    tree = state_tree.nest({p: v for p, v in keras.items() if "/" in p})
    model.set_state_tree(tree)
    mine = flat(model.get_state_tree("numpy_array"))
    for path in ("metrics_variables/loss/total", "metrics_variables/mean_absolute_error/count",
                 "metrics_variables/mean_absolute_error/total"):
        np.testing.assert_array_equal(mine[path], keras[path])
    results = {m.name: m.result() for m in model.metrics}
    mae = keras["metrics_variables/mean_absolute_error/total"] / \
        keras["metrics_variables/mean_absolute_error/count"]
    np.testing.assert_allclose(float(results["compile_metrics"]["mae"]), mae, rtol=1e-6)
    np.testing.assert_allclose(predictions(model, x), keras["predictions"], rtol=1e-6,
                               atol=1e-6)

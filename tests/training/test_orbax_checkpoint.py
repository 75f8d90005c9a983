"""OrbaxCheckpoint: Keras 3's signature; a fit resumed from its checkpoint equals an uninterrupted
fit (weights, optimizer iterations, History); max_to_keep, save_freq, save_best_only,
weights-only checkpoints; sharded models (ModelParallel / DataParallel on forced CPU devices)
save and restore with their shardings (subprocess, sharded_checks.py)."""
import inspect
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("orbax.checkpoint")

import jkeras  # noqa: E402
from jkeras import layers  # noqa: E402

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


def make_model():
    jkeras.utils.set_random_seed(3)
    model = jkeras.Sequential([jkeras.Input((5,)), layers.Dense(8, activation="relu", name="d1"),
                               layers.BatchNormalization(name="bn"), layers.Dense(2, name="d2")])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def data():
    rs = np.random.RandomState(0)
    return rs.randn(40, 5).astype("float32"), rs.randn(40, 2).astype("float32")


def steps(directory):
    return sorted(int(p) for p in os.listdir(directory) if p.isdigit())


def test_signature_is_keras(tf):
    ours = inspect.signature(jkeras.callbacks.OrbaxCheckpoint)
    theirs = inspect.signature(tf.keras.callbacks.OrbaxCheckpoint)
    assert list(ours.parameters) == list(theirs.parameters)
    assert [p.default for p in ours.parameters.values()] == \
        [p.default for p in theirs.parameters.values()]


def test_resume_equals_uninterrupted_fit(tmp_path):
    x, y = data()
    full = make_model()
    full_hist = full.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0).history

    first = make_model()
    ckpt = jkeras.callbacks.OrbaxCheckpoint(tmp_path / "ckpt", max_to_keep=2)
    hist1 = first.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                      callbacks=[ckpt]).history
    assert steps(tmp_path / "ckpt") == [0, 1]

    resumed = make_model()
    resumed.fit(x[:8], y[:8], epochs=1, verbose=0)  # other weights and slots: all overwritten
    resumed.load_weights(tmp_path / "ckpt")
    assert int(resumed.optimizer.iterations) == 10
    np.testing.assert_array_equal(
        np.concatenate([w.ravel() for w in resumed.get_weights()]),
        np.concatenate([w.ravel() for w in first.get_weights()]))
    hist2 = resumed.fit(x, y, batch_size=8, epochs=4, initial_epoch=2, shuffle=False,
                        verbose=0).history
    for a, b in zip(full.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(resumed.optimizer.iterations) == int(full.optimizer.iterations) == 20
    for key in full_hist:
        np.testing.assert_allclose(hist1[key] + hist2[key], full_hist[key], rtol=1e-5)

    # load_model rebuilds the model from the checkpoint's config, with its state.
    loaded = jkeras.saving.load_model(tmp_path / "ckpt")
    for a, b in zip(first.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(loaded.optimizer.iterations) == 10
    np.testing.assert_allclose(loaded.predict(x, verbose=0), first.predict(x, verbose=0),
                               rtol=1e-6)


def test_max_to_keep_and_step_directory(tmp_path):
    x, y = data()
    model = make_model()
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[
        jkeras.callbacks.OrbaxCheckpoint(tmp_path, save_on_background=False)])
    assert steps(tmp_path) == [2]  # max_to_keep=1
    other = make_model()
    other.load_weights(tmp_path / "2")  # one step's directory loads too
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_integer_save_freq_counts_batches_across_a_restore(tmp_path):
    x, y = data()
    model = make_model()
    model.compile(optimizer="adam", loss="mse", steps_per_execution=1)
    ckpt = jkeras.callbacks.OrbaxCheckpoint(tmp_path, save_freq=3, max_to_keep=None)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[ckpt])
    assert steps(tmp_path) == [3, 6, 9]  # 10 batches
    more = jkeras.callbacks.OrbaxCheckpoint(tmp_path, save_freq=3, max_to_keep=None)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[more])
    assert steps(tmp_path) == [3, 6, 9, 13]  # counted on from the optimizer's 10 iterations


def test_save_best_only_and_weights_only(tmp_path):
    x, y = data()
    model = make_model()
    cb = jkeras.callbacks.OrbaxCheckpoint(tmp_path, monitor="loss", save_best_only=True,
                                          max_to_keep=None, save_weights_only=True)
    hist = model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[cb]).history
    expected = [e for e, loss in enumerate(hist["loss"])
                if loss == min(hist["loss"][:e + 1])]
    assert steps(tmp_path) == expected
    with pytest.raises(ValueError, match="does not contain model configuration"):
        jkeras.saving.load_model(tmp_path)
    fresh = make_model()
    fresh.load_weights(tmp_path)
    assert int(fresh.optimizer.iterations) == 0  # weights only: no optimizer state
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            jkeras.callbacks.OrbaxCheckpoint(tmp_path / "b", save_best_only=True)])


def test_checkpoint_of_another_model_is_refused(tmp_path):
    x, y = data()
    model = make_model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[jkeras.callbacks.OrbaxCheckpoint(tmp_path)])
    other = jkeras.Sequential([jkeras.Input((5,)), layers.Dense(2, name="d1")])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"does not fit model .*\n- in the checkpoint but not in "
                       r"the model: non_trainable_variables/\w+/bn/moving_mean[\s\S]*\n- trainable_"
                       r"variables/\w+/d1/bias is \[2\] in the model but \[8\] in the "
                       r"checkpoint"):
        other.load_weights(tmp_path)
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_missing_orbax_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "orbax.checkpoint", None)
    with pytest.raises(ImportError, match="OrbaxCheckpoint requires the 'orbax-checkpoint' "
                       "package. You can install it via pip install orbax-checkpoint"):
        jkeras.callbacks.OrbaxCheckpoint("unused_dir")


def test_bad_arguments():
    with pytest.raises(ValueError, match="Unrecognized save_freq: 1.5"):
        jkeras.callbacks.OrbaxCheckpoint("unused_dir", save_freq=1.5)
    model = make_model()
    model.build((None, 5))
    with pytest.raises(ValueError, match="Unknown variable name: weights"):
        model.set_state_tree({"weights": {}})
    with pytest.raises(ValueError, match="Invalid `value_format`"):
        model.get_state_tree("list")


def run_sharded(group, tmp_path):
    flags = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"
    env = dict(os.environ, XLA_FLAGS=flags.strip(), JAX_PLATFORMS="cpu",
               TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, str(HERE / "sharded_checks.py"), group, str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_model_parallel_saves_shards_and_restores_sharded(tmp_path):
    out = run_sharded("model_parallel", tmp_path)
    assert out["device_count"] == 8
    assert out["resume_weights"] < 1e-5 and out["resume_history"] < 1e-5
    assert out["iterations"] == out["full_iterations"]
    # every restored weight and Adam slot is laid out as the layout map says, over 8 devices
    assert out["restored_layout_ok"] and all(out["restored_layout_ok"].values())
    assert out["restored_slots_sharded"] > 0 and out["restored_slots_ok"]
    assert out["kernel_spec"] == "P(None, 'model')"
    # written in pieces of (3, 4): each of the 8 devices writes part of its (6, 4) shard
    # (Orbax splits the copies held on the 2 "batch" replicas), nothing is gathered
    assert out["saved_kernel"] == {"shape": [6, 16], "spec": [None, "model"],
                                   "write_shape": [3, 4]}


def test_data_parallel_restores_replicated(tmp_path):
    out = run_sharded("data_parallel", tmp_path)
    assert out["resume_weights"] < 1e-5 and out["resume_history"] < 1e-5
    assert out["replicated_on"] == [8]

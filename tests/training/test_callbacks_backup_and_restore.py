"""BackupAndRestore: a `fit` in a subprocess killed (SIGKILL) in the middle of an epoch, then
started again, ends with the same weights, optimizer state and History (the epochs it ran) as
an uninterrupted fit; Keras's in-process example against tf.keras; the files and errors."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jkeras
from jkeras import callbacks as C

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = """
import json, os, signal, sys
os.environ["JAX_PLATFORMS"] = "cpu"
sys.path.insert(0, {root!r})
import numpy as np
import jkeras
from jkeras import layers as L

mode, backup_dir, out = sys.argv[1:4]
rng = np.random.default_rng(0)
x = rng.normal(size=(32, 5)).astype(np.float32)
y = rng.normal(size=(32, 2)).astype(np.float32)
model = jkeras.Sequential([jkeras.Input((5,)), L.Dense(8, activation="relu"), L.Dense(2)])
model.set_weights([np.random.default_rng(i).normal(size=w.shape).astype(np.float32) * 0.3
                   for i, w in enumerate(model.get_weights())])
model.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])

class Killer(jkeras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
    def on_train_batch_end(self, batch, logs=None):
        if mode == "kill" and self.epoch == 3:  # inside epoch 3, before its end
            os.kill(os.getpid(), signal.SIGKILL)

history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                    callbacks=[jkeras.callbacks.BackupAndRestore(backup_dir), Killer()])
np.savez(out, *[np.asarray(w) for w in model.get_weights()],
         iterations=np.asarray(model.optimizer.iterations))
with open(out + ".json", "w") as f:
    json.dump({{"epoch": history.epoch, "history": history.history}}, f)
"""


def _run(mode, backup_dir, out):
    code = textwrap.dedent(SCRIPT.format(root=ROOT))
    return subprocess.run([sys.executable, "-c", code, mode, str(backup_dir), str(out)],
                          capture_output=True, text=True, timeout=300)


def _result(out):
    arrays = np.load(str(out) + ".npz")
    with open(str(out) + ".json") as f:
        return arrays, json.load(f)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_fit_resumes_to_the_uninterrupted_result(tmp_path):
    full = _run("full", tmp_path / "backup_full", tmp_path / "full")
    assert full.returncode == 0, full.stderr[-2000:]
    assert not (tmp_path / "backup_full").exists()  # deleted when fit completes

    killed = _run("kill", tmp_path / "backup", tmp_path / "killed")
    assert killed.returncode == -signal.SIGKILL
    with open(tmp_path / "backup" / "training_metadata.json") as f:
        assert json.load(f) == {"epoch": 3, "batch": 0}  # epochs 0-2 backed up
    assert (tmp_path / "backup" / "latest.weights.h5").exists()

    resumed = _run("resume", tmp_path / "backup", tmp_path / "resumed")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    (w_full, h_full), (w_res, h_res) = _result(tmp_path / "full"), _result(tmp_path / "resumed")
    assert h_full["epoch"] == [0, 1, 2, 3, 4, 5] and h_res["epoch"] == [3, 4, 5]  # as Keras
    assert sorted(h_res["history"]) == sorted(h_full["history"]) == ["loss", "mae"]
    for key, values in h_full["history"].items():
        np.testing.assert_allclose(h_res["history"][key], values[3:], rtol=1e-6, err_msg=key)
    assert int(w_res["iterations"]) == int(w_full["iterations"]) == 6 * 4
    for i in range(4):
        np.testing.assert_allclose(w_res[f"arr_{i}"], w_full[f"arr_{i}"], rtol=1e-6, atol=1e-7)
    assert not (tmp_path / "backup").exists()


class _Interrupt:
    """Keras's docstring example: raise at the start of epoch 4."""

    def __init__(self, base):
        class Interrupting(base):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == 4:
                    raise RuntimeError("Interrupting!")
        self.callback = Interrupting()


def _docstring_run(k, backup_dir, weights):
    model = k.Sequential([k.Input((20,)), k.layers.Dense(10)])
    model.set_weights(weights)
    model.compile(k.optimizers.SGD(), loss="mse")
    x, y = np.arange(100, dtype=np.float32).reshape(5, 20) / 100.0, np.zeros((5, 10), np.float32)
    callback = k.callbacks.BackupAndRestore(backup_dir=str(backup_dir))
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(x, y, epochs=10, batch_size=1, verbose=0, shuffle=False,
                  callbacks=[callback, _Interrupt(k.callbacks.Callback).callback])
    history = model.fit(x, y, epochs=10, batch_size=1, verbose=0, shuffle=False,
                        callbacks=[callback])
    return model, history


def test_keras_example_matches_tf_keras(tf, tmp_path):
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(20, 10)).astype(np.float32) * 0.1, np.zeros(10, np.float32)]
    ours, h_ours = _docstring_run(jkeras, tmp_path / "jk", weights)
    theirs, h_theirs = _docstring_run(tf.keras, tmp_path / "tf", weights)
    assert len(h_ours.history["loss"]) == len(h_theirs.history["loss"]) == 6
    assert h_ours.epoch == h_theirs.epoch == [4, 5, 6, 7, 8, 9]
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-7)


def _small_fit(k, backup_dir, epochs, **kwargs):
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=1)
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    cb = k.callbacks.BackupAndRestore(str(backup_dir), delete_checkpoint=False, **kwargs)
    return model.fit(x, y, epochs=epochs, batch_size=2, verbose=0, callbacks=[cb])


def test_save_freq_and_double_checkpoint_as_tf_keras(tf, tmp_path):
    files = {}
    for name, k in (("jk", jkeras), ("tf", tf.keras)):
        _small_fit(k, tmp_path / name, 2, save_freq=3, double_checkpoint=True)
        files[name] = {f: open(tmp_path / name / f, "rb").read()
                       for f in sorted(os.listdir(tmp_path / name)) if "json" in f}
        assert sorted(os.listdir(tmp_path / name)) == [
            "latest.weights.h5", "latest.weights.h5.bkp", "training_metadata.json",
            "training_metadata.json.bkp"]
    assert files["jk"] == files["tf"]
    assert json.loads(files["jk"]["training_metadata.json"]) == {"epoch": 1, "batch": 1}
    # A damaged latest file: the previous backup (its metadata: epoch 0) is used instead.
    for name, k in (("jk", jkeras), ("tf", tf.keras)):
        with open(tmp_path / name / "latest.weights.h5", "wb") as f:
            f.write(b"not hdf5")
    assert _small_fit(jkeras, tmp_path / "jk", 3).epoch == [0, 1, 2]
    assert _small_fit(tf.keras, tmp_path / "tf", 3).epoch == [0, 1, 2]


def test_no_batch_hook_with_epoch_saving(tmp_path):
    from jkeras.training.callbacks.base import is_overridden
    assert not is_overridden(C.BackupAndRestore(tmp_path), "on_train_batch_end")
    assert is_overridden(C.BackupAndRestore(tmp_path, save_freq=2), "on_train_batch_end")


def test_errors_match_tf_keras(tf, tmp_path):
    for kwargs in ({"backup_dir": ""}, {"backup_dir": str(tmp_path), "save_freq": "batch"}):
        with pytest.raises(ValueError) as theirs:
            tf.keras.callbacks.BackupAndRestore(**kwargs)
        with pytest.raises(ValueError) as ours:
            C.BackupAndRestore(**kwargs)
        assert str(ours.value) == str(theirs.value)

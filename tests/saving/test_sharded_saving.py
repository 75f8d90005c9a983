"""`.keras` and `.weights.h5` from a ModelParallel-sharded model (8 forced CPU devices, in a
subprocess: tests/training/sharded_checks.py): one writer, full arrays in the file (as a one-device
model's file, which tf.keras reads), loading back lays each weight out as the layout map says,
and training continues identically from the loaded weights and optimizer state."""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).parent.parent.parent


def test_sharded_model_saves_full_arrays_and_loads_sharded(tmp_path):
    flags = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"
    env = dict(os.environ, XLA_FLAGS=flags.strip(), JAX_PLATFORMS="cpu",
               TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    script = ROOT / "tests" / "training" / "sharded_checks.py"
    proc = subprocess.run([sys.executable, str(script), "files", str(tmp_path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["device_count"] == 8 and out["trained_sharded"] == 8
    assert out["h5_weights"] == 0.0 and out["keras_weights"] == 0.0
    assert out["h5_layout_ok"] and all(out["h5_layout_ok"].values()), out["h5_layout_ok"]
    assert out["keras_layout_ok"] and all(out["keras_layout_ok"].values())
    assert out["file_layer_keys_equal"] and out["file_layer_diff"] == 0.0
    assert out["file_shapes"]["layers/dense/vars/0"] == [6, 16]  # the whole kernel
    assert out["continued_weights"] < 1e-6 and out["continued_loss"] < 1e-6
    assert out["iterations"] == [12, 12]

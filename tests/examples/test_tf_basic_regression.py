"""Runs examples/tf_basic_regression.py: TensorFlow's "Basic regression" tutorial with the import
changed (a 1-D pandas Series through `Normalization(input_shape=[1,], axis=None)` into `fit`)."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_basic_regression_tutorial_runs_unchanged():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/tf_basic_regression.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "OK: the Basic regression tutorial runs unchanged" in run.stdout
    mae = dict(re.findall(r"(\w+) ([0-9.]+)", run.stdout.split("MAE:")[1].splitlines()[0]))
    assert float(mae["dnn"]) < float(mae["only"])  # better than predicting the mean
    # The one-feature models: Normalization (mean, variance, count) + Dense(1)
    assert "Non-trainable params: 3 (12.00 B)" in run.stdout

"""Runs examples/keras_jax_custom_train_step.py: keras.io's "Customizing what happens in fit()
with JAX" programs (train_step with compiled metrics, own trackers, test_step) with the import
changed; each training lowers the loss."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_keras_jax_custom_train_step_guide_runs():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/keras_jax_custom_train_step.py"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "OK: custom train_step" in run.stdout
    losses = [float(v) for v in re.search(r"2\. loss per epoch: \[(.*)\]", run.stdout)
              .group(1).split(",")]
    assert losses == sorted(losses, reverse=True)  # own trackers: strictly decreasing here

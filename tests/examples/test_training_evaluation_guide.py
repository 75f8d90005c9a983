"""Runs examples/training_evaluation_guide.py (keras.io's "Training & evaluation with the
built-in methods", import changed) on jkeras and on tf.keras, and compares what each part
prints: history keys of every compile form, shapes, checkpoint files, epochs run, and that
each part trains (values themselves differ with the random initialisation)."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VALUE_LINES = ("test loss, test acc:", "Restoring from model-loss=")


def _run(keras_flavour):
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"),
               TRAINING_GUIDE_KERAS=keras_flavour)
    run = subprocess.run([sys.executable, "examples/training_evaluation_guide.py"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout.splitlines()


@pytest.mark.tensorflow
def test_training_evaluation_guide_prints_what_tf_keras_prints():
    ours, theirs = _run("jkeras"), _run("tf")
    assert len(ours) == len(theirs) == 27, ours
    for a, b in zip(ours, theirs):
        if a.startswith(VALUE_LINES):
            assert re.sub(r"[0-9.]+", "N", a) == re.sub(r"[0-9.]+", "N", b)
        else:
            assert a == b
    acc = float(re.search(r"test loss, test acc: [0-9.]+ ([0-9.]+)", "\n".join(ours)).group(1))
    assert acc > 0.8
    assert "False" not in "\n".join(ours)

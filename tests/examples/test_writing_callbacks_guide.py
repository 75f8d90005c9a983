"""Runs examples/writing_callbacks_guide.py (keras.io's "Writing your own callbacks") on jkeras
and on tf.keras: every hook, its batch index and its logs' keys come in the same order (numbers
aside: the weights start from different random values)."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(which):
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"),
               TF_CPP_MIN_LOG_LEVEL="2", CALLBACKS_GUIDE_KERAS=which,
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "examples/writing_callbacks_guide.py"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def events(out):
    """The hook lines before the early-stopping part, numbers and spacing normalised."""
    head = out.split("== early stopping at minimum loss")[0]
    return [re.sub(r"\s+", " ", re.sub(r"-?\d+(\.\d+)?", "N", line)).strip()
            for line in head.splitlines()]


def test_callbacks_guide_hooks_match_tf_keras(tf):
    ours, theirs = run("jkeras"), run("tf")
    assert events(ours) == events(theirs)
    found = events(ours)
    # every batch: 500 training rows / 128 -> 4 batches, then 2 epochs and an evaluate of 8 each
    assert found.count("...Training: end of batch N; got log keys: ['loss', "
                       "'mean_absolute_error']") == 4
    assert sum(line.startswith("For batch N, loss is") for line in found) == 2 * 8 + 8
    epochs = int(re.search(r"early stopping ran (\d+) epochs", ours).group(1))
    assert 1 <= epochs <= 30
    assert "final learning rate 0.0010" in ours and "final learning rate 0.0010" in theirs

"""Runs examples/digits_mlp.py: an MLP on scikit-learn's real digits reaches >= 95% on held-out data."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_digits_mlp_reaches_95_percent():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/digits_mlp.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", run.stdout).group(1))
    assert accuracy >= 0.95
    # Dense: 64*128+128 + 128*64+64 + 64*10+10 = 17,226; Normalization: mean, variance (64 each), count
    assert "Trainable params: 17,226" in run.stdout
    assert "Non-trainable params: 129" in run.stdout

"""Runs examples/functional_api_guide.py: keras.io's "The Functional API" guide with the import
changed (multi-input/output models, shared layers, models as layers, feature extraction,
custom layers with ops, a toy ResNet)."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_functional_api_guide_runs():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/functional_api_guide.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    accuracy = float(re.search(r"MNIST test accuracy ([0-9.]+)", run.stdout).group(1))
    assert accuracy > 0.85
    assert 'Model: "toy_resnet"' in run.stdout and "Total params: 223,242" in run.stdout

"""Runs examples/digits_augmented_cnn.py: a CNN with an on-device augmentation block reaches
>= 95% on held-out digits; predict is deterministic while training draws new augmentations."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_digits_augmented_cnn_reaches_95_percent():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/digits_augmented_cnn.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", run.stdout).group(1))
    assert accuracy >= 0.95
    assert "data_augmentation (Sequential)" in run.stdout
    # conv 3*3*1*32+32 + conv 3*3*32*64+64 + dense 1024*10+10 = 29,066
    assert "Trainable params: 29,066" in run.stdout
    assert "predict is deterministic; the augmentation block draws anew in training" in run.stdout

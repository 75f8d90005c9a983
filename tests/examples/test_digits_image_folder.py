"""Runs examples/digits_image_folder.py: PNG files in class folders, image_dataset_from_directory,
a small CNN reaches >= 93% on the held-out files."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_digits_image_folder_reaches_93_percent():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/digits_image_folder.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "wrote 1797 PNG files" in run.stdout
    assert "Found 1797 files belonging to 10 classes." in run.stdout
    assert "Using 1438 files for training." in run.stdout
    assert "Using 359 files for validation." in run.stdout
    accuracy = float(re.search(r"held-out accuracy: ([0-9.]+)", run.stdout).group(1))
    assert accuracy >= 0.93

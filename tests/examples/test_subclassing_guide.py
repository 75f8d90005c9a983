"""The keras.io subclassing guide's ops/random pieces run as a script (only the import changed)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = [
    "weights: [(2, 4), (4,)]",
    "[2. 2.]",
    "[4. 4.]",
    "non-trainable weights: 1",
    "trainable_weights: []",
    "lazy Linear built for input dim 2",
    "config: {'units': 64}",
    "weights: 6",
    "trainable weights: 6",
    "dropout kept 0.",
    "fit with dropout from a SeedGenerator: loss ",
    "Sampling: std of z - z_mean = 1.0",
    "add_loss: one loss per call",
    "kernel_regularizer loss: 1 value",
    "compiled without a loss: loss ",
    "VAE loss per epoch: ",
    "OK: Linear, ComputeSum, lazy build, MLPBlock, SeedGenerator dropout (eager + fit), "
    "config, Sampling, add_loss, VAE",
]


def test_subclassing_guide_runs():
    script = ROOT / "examples" / "subclassing_guide_ops.py"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    missing = [line for line in EXPECTED if line not in proc.stdout]
    assert not missing, f"did not print {missing}. stdout:\n{proc.stdout[-3000:]}"

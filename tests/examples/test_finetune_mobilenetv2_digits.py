"""Runs examples/finetune_mobilenetv2_digits.py: MobileNetV2 from jkeras.applications, frozen
base then fine-tuned top blocks, on real digits; both phases well above chance (10%) and
fine-tuning better than the frozen base (the script asserts it; here we check its output)."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_finetune_mobilenetv2_digits():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" /
                                               "finetune_mobilenetv2_digits.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    frozen = float(re.search(r"^frozen-base accuracy: (\d\.\d+)$", proc.stdout, re.M).group(1))
    tuned = float(re.search(r"^fine-tuned accuracy: (\d\.\d+)$", proc.stdout, re.M).group(1))
    assert 0.3 < frozen < tuned
    assert "phase 1 (frozen base): 2 trainable weight tensors" in proc.stdout
    assert "OK: fine-tuning beat the frozen base" in proc.stdout

"""Run examples/digits_rnn.py as a script: LSTM and GRU on scikit-learn's digits reach >= 90%."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_digits_rnn_example():
    proc = subprocess.run([sys.executable, "examples/digits_rnn.py"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "digits: 1437 train / 360 test sequences of shape (8, 8)" in out
    for name in ("LSTM", "GRU"):
        match = re.search(rf"{name}\(64\): .*test accuracy (\d\.\d+)", out)
        assert match and float(match.group(1)) >= 0.90, out
    assert re.search(r"OK: test accuracy LSTM 0\.\d+, GRU 0\.\d+ \(>= 0\.9\)", out), out

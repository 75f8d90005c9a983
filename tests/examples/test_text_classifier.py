"""Runs examples/text_classifier.py: TextVectorization (host) + Embedding (device) classifies
held-out reviews written by the script."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_text_classifier_reaches_95_percent():
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    run = subprocess.run([sys.executable, "examples/text_classifier.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert float(re.search(r"test accuracy: ([0-9.]+)", run.stdout).group(1)) >= 0.95
    assert "vocabulary: 35 tokens; first: ['', '[UNK]', 'the', 'was', 'really', 'honestly']" \
        in run.stdout
    assert "example: 'I found it pointless and terrible.' -> [8, 9, 7, 33, 10, 28, 0, 0, 0, 0]" \
        in run.stdout

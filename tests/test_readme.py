"""README's quick start runs as printed (in a temporary directory)."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_start_runs(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code += "\nassert set(grads) == {'dense', 'dense_1'}\nprint('QUICK START OK')\n"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600, env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin",
                                                      "PYTHONPATH": str(ROOT)})
    assert "QUICK START OK" in run.stdout, run.stderr[-3000:]
    assert (tmp_path / "model.keras").exists()


def test_readme_ensemble_snippet_uses_history_attribute():
    text = (ROOT / "README.md").read_text()
    assert 'history.history["loss"]' in text and "shared/bench" not in text

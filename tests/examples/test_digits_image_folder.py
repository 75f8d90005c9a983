"""Runs examples/digits_image_folder.py (in this process): PNG files in class folders,
image_dataset_from_directory, a small CNN reaches >= 93% on the held-out files."""
import re
import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits_image_folder.py"


def test_digits_image_folder_reaches_93_percent(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "wrote 1797 PNG files" in out
    assert "Found 1797 files belonging to 10 classes." in out
    assert "Using 1438 files for training." in out and "Using 359 files for validation." in out
    accuracy = float(re.search(r"held-out accuracy: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.93

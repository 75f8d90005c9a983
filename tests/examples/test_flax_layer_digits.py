"""Run examples/flax_layer_digits.py as a script: a Flax linen CNN inside a jkeras model trains
with fit to >= 90% test accuracy, saves to .keras and loads back with the same predictions."""
import re

import pytest

pytest.importorskip("flax")


def test_flax_layer_digits_example(run_example):
    out = run_example("flax_layer_digits.py")
    assert "weights: 8 trainable, 2 non-trainable (batch_stats)" in out
    match = re.search(r"train loss (\d+\.\d+) -> (\d+\.\d+), test accuracy (\d\.\d+)", out)
    assert match, out
    assert float(match.group(2)) < 0.5 * float(match.group(1))
    assert float(match.group(3)) >= 0.90
    assert "reloaded from .keras: same predictions True" in out
    assert "OK: FlaxLayer model trained" in out

"""Run examples/digits_transformer.py as a script: a Transformer encoder block on scikit-learn's
digits read row by row must reach >= 90% test accuracy with a falling training loss."""
import re


def test_digits_transformer_example(run_example):
    out = run_example("digits_transformer.py")
    assert "digits: 1437 train / 360 test sequences of shape (8, 8)" in out
    match = re.search(r"train loss (\d+\.\d+) -> (\d+\.\d+), .*test accuracy (\d\.\d+)", out)
    assert match, out
    assert float(match.group(2)) < 0.5 * float(match.group(1))
    assert float(match.group(3)) >= 0.90
    assert "OK: Transformer encoder on digit rows" in out

"""Run examples/digits_transformer.py as a script: a Transformer encoder block on scikit-learn's
digits read row by row must reach >= 90% test accuracy with a falling training loss."""


def test_digits_transformer_example(run_example, training_summary):
    out = run_example("digits_transformer.py")
    assert "digits: 1437 train / 360 test sequences of shape (8, 8)" in out
    first, last, accuracy = training_summary(out)
    assert last < 0.5 * first and accuracy >= 0.90
    assert "OK: Transformer encoder on digit rows" in out

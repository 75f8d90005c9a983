"""Run examples/flax_layer_digits.py as a script: a Flax linen CNN inside a jkeras model trains
with fit to >= 90% test accuracy, saves to .keras and loads back with the same predictions."""
import pytest

pytest.importorskip("flax")


def test_flax_layer_digits_example(run_example, training_summary):
    out = run_example("flax_layer_digits.py")
    first, last, accuracy = training_summary(out)
    assert last < 0.5 * first and accuracy >= 0.90
    for line in ("weights: 8 trainable, 2 non-trainable (batch_stats)",
                 "reloaded from .keras: same predictions True", "OK: FlaxLayer model trained"):
        assert line in out, out

"""Runs examples/training_evaluation_guide.py (keras.io's "Training & evaluation with the
built-in methods", import changed) on jkeras and on tf.keras, and compares what each part
prints: history keys of every compile form, shapes, checkpoint files, epochs run, and that
each part trains (values themselves differ with the random initialisation)."""
import re

import pytest

VALUE_LINES = ("test loss, test acc:", "Restoring from model-loss=")


@pytest.mark.tensorflow
def test_training_evaluation_guide_prints_what_tf_keras_prints(run_example):
    ours, theirs = (run_example("training_evaluation_guide.py", 1200,
                                TRAINING_GUIDE_KERAS=flavour).splitlines()
                    for flavour in ("jkeras", "tf"))
    assert len(ours) == len(theirs) == 27, ours
    for a, b in zip(ours, theirs):
        if a.startswith(VALUE_LINES):
            assert re.sub(r"[0-9.]+", "N", a) == re.sub(r"[0-9.]+", "N", b)
        else:
            assert a == b
    acc = float(re.search(r"test loss, test acc: [0-9.]+ ([0-9.]+)", "\n".join(ours)).group(1))
    assert acc > 0.8
    assert "False" not in "\n".join(ours)

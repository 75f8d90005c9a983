"""Runs examples/tf_basic_classification.py (TensorFlow's "Basic classification" tutorial,
import changed) on jkeras and on tf.keras and compares what they print: shapes, history keys,
softmax rows summing to one, the single-image prediction agreeing with the batch; and the
test accuracy above 0.88 for both."""
import re

import pytest

NOISE = re.compile(r"^(WARNING|I0000|To enable|\s*$)|oneDNN|cpu_feature|Warning|"
                   r"super\(\)\.__init__")
VALUES = re.compile(r"^(\d+/\d+ - |Test accuracy:|accuracy from predictions|first prediction)")


def _lines(stdout):
    return [line for line in stdout.splitlines() if not NOISE.search(line)]


@pytest.mark.tensorflow
def test_basic_classification_tutorial_prints_what_tf_keras_prints(run_example):
    ours, theirs = (_lines(run_example("tf_basic_classification.py", 1200,
                                       BASIC_CLASSIFICATION_KERAS=flavour))
                    for flavour in ("jkeras", "tf"))
    assert [a for a in ours if not VALUES.search(a)] == [b for b in theirs
                                                        if not VALUES.search(b)]
    for out in (ours, theirs):
        text = "\n".join(out)
        assert float(re.search(r"Test accuracy: ([0-9.]+)", text).group(1)) > 0.88
        assert "False" not in text

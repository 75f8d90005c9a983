"""Runs examples/text_classifier.py: TextVectorization (host) + Embedding (device) classifies
held-out reviews written by the script."""
import re


def test_text_classifier_reaches_95_percent(run_example):
    out = run_example("text_classifier.py")
    assert float(re.search(r"test accuracy: ([0-9.]+)", out).group(1)) >= 0.95
    assert "vocabulary: 35 tokens; first: ['', '[UNK]', 'the', 'was', 'really', 'honestly']" in out
    assert "example: 'I found it pointless and terrible.' -> [8, 9, 7, 33, 10, 28, 0, 0, 0, 0]" \
        in out

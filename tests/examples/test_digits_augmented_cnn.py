"""Runs examples/digits_augmented_cnn.py: a CNN with an on-device augmentation block reaches
>= 95% on held-out digits; predict is deterministic while training draws new augmentations."""
import re


def test_digits_augmented_cnn_reaches_95_percent(run_example):
    out = run_example("digits_augmented_cnn.py")
    assert float(re.search(r"test accuracy: ([0-9.]+)", out).group(1)) >= 0.95
    assert "data_augmentation (Sequential)" in out
    # conv 3*3*1*32+32 + conv 3*3*32*64+64 + dense 1024*10+10 = 29,066
    assert "Trainable params: 29,066" in out
    assert "predict is deterministic; the augmentation block draws anew in training" in out

"""Run examples/moving_digits_convlstm.py as a script: a ConvLSTM2D next-frame model on
generated moving-digit clips; its loss falls and it beats repeating the current frame."""
import re


def test_moving_digits_convlstm_example(run_example):
    out = run_example("moving_digits_convlstm.py")
    assert "clips: 256 train / 48 test, shape (6, 16, 16, 1)" in out
    loss = re.search(r"train loss (\d+\.\d+) -> (\d+\.\d+)", out)
    assert loss and float(loss.group(2)) < 0.8 * float(loss.group(1)), out
    mse = re.search(r"next-frame MSE (\d+\.\d+), repeat-the-frame baseline (\d+\.\d+)", out)
    assert mse and float(mse.group(1)) < 0.9 * float(mse.group(2)), out
    assert "OK: ConvLSTM2D predicts the next frame" in out

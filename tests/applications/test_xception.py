"""Xception against tf.keras.applications (at its minimum input, 71x71)."""
import pytest

from jkeras import applications


def test_xception_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "Xception", tmp_path, input_shape=(71, 71, 3), include_top=True,
                       classes=4, legacy=False, scale=2.0)


def test_xception_input_size_error():
    with pytest.raises(ValueError, match="Input size must be at least 71x71"):
        applications.Xception(weights=None, include_top=False, input_shape=(64, 64, 3))

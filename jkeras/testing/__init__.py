"""Helpers for checking jkeras against tf.keras (`compare_with_tf`, `assert_parity`) and the layer
test harness (`layer_test`)."""
from jkeras.testing.layer_test import LayerTestError, LayerTestResult, layer_test
from jkeras.testing.parity import ParityReport, assert_parity, compare_with_tf, convert_from_tf

__all__ = ["ParityReport", "assert_parity", "compare_with_tf", "convert_from_tf", "layer_test",
           "LayerTestError", "LayerTestResult"]

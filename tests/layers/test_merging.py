"""Add and Concatenate: values, symbolic shapes, errors."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def test_add_and_concatenate_values():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(L.Add()([a, b, b]), a + 2)
    np.testing.assert_array_equal(L.Concatenate()([a, b]), np.concatenate([a, b], -1))
    np.testing.assert_array_equal(L.Concatenate(axis=0)([a, b]), np.concatenate([a, b], 0))


def test_symbolic_shapes():
    x, y = jkeras.Input(shape=(3,)), jkeras.Input(shape=(5,))
    assert L.Concatenate()([x, y]).shape == (None, 8)
    assert L.Add()([x, x]).shape == (None, 3)


def test_merge_errors_name_the_layer():
    with pytest.raises(ValueError, match="list of at least 2 inputs"):
        L.Add()(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="broadcastable shapes"):
        L.Add()([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([np.ones((2, 3, 1)), np.ones((2, 4, 1))])

"""StackedRNNCells: inside RNN through layer_test (tf.keras parity on copied weights), config
with nested cells, and the dropout limitation stated clearly."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


def test_rnn_of_stacked_cells(tf):
    cell = L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2), L.SimpleRNNCell(4)])
    result = layer_test(L.RNN, {"cell": cell, "return_sequences": True}, input_shape=(2, 5, 3),
                        expected_output_shape=(2, 5, 4), expected_num_trainable_weights=9)
    assert result.layer.cell.state_size == [3, 3, 2, 4]


def test_return_state_gives_every_cells_states(tf):
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    ours = L.RNN(L.StackedRNNCells([L.LSTMCell(2), L.GRUCell(3)]), return_state=True)
    theirs = tf.keras.layers.RNN(tf.keras.layers.StackedRNNCells(
        [tf.keras.layers.LSTMCell(2), tf.keras.layers.GRUCell(3)]), return_state=True)
    got = ours(x)
    theirs(x)
    theirs.set_weights(ours.get_weights())
    want = tf.nest.flatten(theirs(x))
    assert [g.shape for g in got] == [tuple(w.shape) for w in want]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_stacked_cells_step_directly(tf):
    h = np.ones((2, 3), "float32")
    layer_test(L.StackedRNNCells, {"cells": [L.SimpleRNNCell(3), L.SimpleRNNCell(2)]},
               input_data={"inputs": h, "states": [h, h[:, :2]]},
               expected_output_shape=[(2, 2), (2, 3), (2, 2)])


def test_errors():
    with pytest.raises(ValueError, match="All cells must have a `state_size` attribute"):
        L.StackedRNNCells([L.Dense(2)])
    with pytest.raises(ValueError, match=r"does not support cells with `dropout`"):
        L.StackedRNNCells([L.LSTMCell(2, dropout=0.5)])

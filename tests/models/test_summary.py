"""summary(): Keras 3's table and totals."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def capture(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_sequential_summary_matches_keras_text():
    model = jkeras.Sequential([L.Dense(64, activation="relu", input_shape=(16,)), L.Dense(10)])
    text = capture(model)
    expected = """Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 64)             │         1,088 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 1,738 (6.79 KB)
 Trainable params: 1,738 (6.79 KB)
 Non-trainable params: 0 (0.00 B)"""
    assert text == expected


def test_functional_summary_has_connections_and_non_trainable_counts():
    inp = jkeras.Input(shape=(3,), name="x")
    norm = L.Normalization()
    norm.adapt(np.ones((4, 3), np.float32))
    a = L.Dense(2)(norm(inp))
    model = jkeras.Model(inp, L.Concatenate()([a, a]))
    text = capture(model)
    assert "Connected to" in text and "x (InputLayer)" in text
    assert "Total params: 15 (60.00 B)" in text
    assert "Trainable params: 8 (32.00 B)" in text
    assert "Non-trainable params: 7 (28.00 B)" in text


def test_unbuilt_summary_prints_as_keras(tf):
    """Keras 3 prints an unbuilt model ("?" shapes, "0 (unbuilt)"), counting built layers."""
    def text(lib):
        built = lib.layers.Dense(2)
        built.build((None, 3))
        lines = []
        lib.Sequential([built, lib.layers.Dense(4), lib.layers.Dense(1)]).summary(
            print_fn=lambda line, *a, **k: lines.append(line))
        return "\n".join(lines).rstrip("\n")  # Keras ends its last line with a newline
    ours = text(jkeras)
    assert "0 (unbuilt)" in ours and "Total params: 8 (32.00 B)" in ours
    assert ours == text(tf.keras)

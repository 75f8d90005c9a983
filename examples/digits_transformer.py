"""A Transformer encoder block classifying scikit-learn's 8x8 digits read as sequences of rows.

Each image is a sequence of 8 tokens (its rows) of 8 pixels. An EinsumDense projects each row to
32 features, a learned position table is added (a small custom layer with `add_weight`), then one
encoder block: MultiHeadAttention (4 heads) with a residual connection and LayerNormalization,
a Dense feed-forward network with another residual and LayerNormalization; average pooling over
the rows and a softmax Dense give the class. Trained with Adam on a fixed 80/20 split; the
test accuracy must reach >= 90%. No download: the digits ship with scikit-learn.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import jkeras
from jkeras import layers

ROWS, PIXELS, DIM, HEADS = 8, 8, 32, 4
EPOCHS, BATCH = 20, 32
MIN_ACCURACY = 0.90


class AddPosition(layers.Layer):
    """x + a learned (sequence length, features) table: the tokens' positions."""

    def build(self, input_shape):
        self.table = self.add_weight(shape=tuple(input_shape[1:]), initializer="random_normal",
                                     name="table")

    def call(self, inputs):
        return inputs + self.table


def encoder_block(x):
    attended = layers.MultiHeadAttention(num_heads=HEADS, key_dim=DIM // HEADS)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    hidden = layers.Dense(2 * DIM, activation="relu")(x)
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(DIM)(hidden)]))
    return x


def build_model():
    inputs = layers.Input(shape=(ROWS, PIXELS))
    x = layers.EinsumDense("btp,pd->btd", output_shape=(None, DIM), bias_axes="d")(inputs)
    x = encoder_block(AddPosition()(x))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(10, activation="softmax")(layers.Dropout(0.1)(x))
    return jkeras.Model(inputs, outputs, name="digits_transformer")


def load():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)  # (1797, 8, 8): 8 rows of 8 pixels
    y = digits.target.astype(np.int32)
    return train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)


def main():
    x_train, x_test, y_train, y_test = load()
    print(f"digits: {len(x_train)} train / {len(x_test)} test sequences of shape "
          f"{x_train.shape[1:]}")
    jkeras.utils.set_random_seed(0)
    model = build_model()
    model.compile(optimizer=jkeras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    print(f"parameters: {model.count_params()}")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    seconds = time.perf_counter() - start
    first, last = history.history["loss"][0], history.history["loss"][-1]
    print(f"train loss {first:.3f} -> {last:.3f}, test loss {loss:.4f}, "
          f"test accuracy {accuracy:.4f} ({seconds:.1f}s)")
    assert last < 0.5 * first, f"the training loss did not fall enough: {first} -> {last}"
    assert accuracy >= MIN_ACCURACY, f"test accuracy {accuracy:.4f} < {MIN_ACCURACY}"
    predicted = model.predict(x_test[:8], verbose=0).argmax(-1)
    print(f"first 8 test digits: true {y_test[:8].tolist()}, predicted {predicted.tolist()}")
    print(f"OK: Transformer encoder on digit rows, test accuracy {accuracy:.4f} "
          f">= {MIN_ACCURACY}")


if __name__ == "__main__":
    main()

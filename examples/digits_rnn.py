"""Real data, recurrent nets: scikit-learn's 1,797 handwritten 8x8 digits read row by row.

Each image is a sequence of 8 time steps (its rows) of 8 features (the pixels, scaled to [0, 1]).
An LSTM and a GRU, each followed by a softmax Dense, are trained with Adam on a fixed 80/20
split; each must reach >= 90% test accuracy. No download: the digits ship with scikit-learn.
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

EPOCHS, BATCH = 15, 16
MIN_ACCURACY = 0.90


def load():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)  # (1797, 8, 8): 8 rows of 8 pixels
    y = digits.target.astype(np.int32)
    return train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)


def train(rnn, data):
    x_train, x_test, y_train, y_test = data
    jkeras.utils.set_random_seed(0)
    model = jkeras.Sequential([layers.Input(shape=(8, 8)), rnn,
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    seconds = time.perf_counter() - start
    name = type(rnn).__name__
    print(f"{name}(64): train loss {history.history['loss'][0]:.3f} -> "
          f"{history.history['loss'][-1]:.3f}, test loss {loss:.4f}, "
          f"test accuracy {accuracy:.4f} ({len(y_test)} digits, {seconds:.1f}s)")
    assert accuracy >= MIN_ACCURACY, f"{name} test accuracy {accuracy:.4f} < {MIN_ACCURACY}"
    predicted = model.predict(x_test[:8], verbose=0).argmax(-1)
    print(f"  first 8 test digits: true {y_test[:8].tolist()}, predicted {predicted.tolist()}")
    return accuracy


def main():
    data = load()
    print(f"digits: {len(data[0])} train / {len(data[1])} test sequences of shape "
          f"{data[0].shape[1:]}")
    lstm = train(layers.LSTM(64), data)
    gru = train(layers.GRU(64), data)
    print(f"OK: test accuracy LSTM {lstm:.4f}, GRU {gru:.4f} (>= {MIN_ACCURACY})")


if __name__ == "__main__":
    main()

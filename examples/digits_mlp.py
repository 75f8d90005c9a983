"""An MLP on scikit-learn's handwritten digits (1,797 real 8x8 images shipped in its wheel).

The tf.keras tutorial recipe unchanged but for the import: Normalization adapted on the training
images, two Dense layers, compile with Adam and sparse categorical crossentropy, fit with a
validation split and EarlyStopping, evaluate on held-out digits, predict a few.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import jkeras
from jkeras import layers


def main():
    jkeras.utils.set_random_seed(0)
    digits = load_digits()
    x = digits.images.reshape(-1, 64).astype("float32")
    y = digits.target.astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=0, stratify=y)

    norm = layers.Normalization(axis=-1)
    norm.adapt(x_train)
    model = jkeras.Sequential([
        jkeras.Input(shape=(64,)),
        norm,
        layers.Dense(128, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer=jkeras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x_train, y_train, batch_size=32, epochs=40, validation_split=0.1, verbose=2,
        callbacks=[jkeras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                                  restore_best_weights=True)])
    print(f"trained {len(history.epoch)} epochs; last val_accuracy "
          f"{history.history['val_accuracy'][-1]:.4f}")
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss: {loss:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
    predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=-1)
    print("predicted:", predicted.tolist())
    print("true:     ", y_test[:10].tolist())
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f} is below 0.95"


if __name__ == "__main__":
    main()

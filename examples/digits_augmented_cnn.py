"""A small CNN on scikit-learn's handwritten digits with an on-device augmentation block.

The tf.keras image-classification tutorial recipe: a `data_augmentation` Sequential of random
rotations, zooms and translations, then Rescaling and a CNN. The augmentation runs inside fit's
compiled step with the step's random key (a new draw every batch) and is the identity in
evaluate / predict.
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
    x = digits.images[..., None].astype("float32")  # (1797, 8, 8, 1), pixel values 0..16
    y = digits.target.astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=0, stratify=y)

    data_augmentation = jkeras.Sequential([
        layers.RandomRotation(0.04, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
    ], name="data_augmentation")
    model = jkeras.Sequential([
        jkeras.Input(shape=(8, 8, 1)),
        data_augmentation,
        layers.Rescaling(1.0 / 16),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=30, verbose=2)
    print(f"trained {len(history.epoch)} epochs; last train accuracy "
          f"{history.history['accuracy'][-1]:.4f}")
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss: {loss:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
    first, second = model.predict(x_test, verbose=0), model.predict(x_test, verbose=0)
    assert np.array_equal(first, second), "augmentation must be off in predict"
    augmented = [np.asarray(data_augmentation(x_test[:4], training=True)) for _ in range(2)]
    assert not np.allclose(augmented[0], augmented[1]), "augmentation must draw anew when training"
    print("predict is deterministic; the augmentation block draws anew in training")
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f} is below 0.95"


if __name__ == "__main__":
    main()

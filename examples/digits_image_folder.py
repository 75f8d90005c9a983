"""Train from a folder of image files: scikit-learn's real digits written as PNG files, one
subfolder per class, read back with `image_dataset_from_directory` (Keras's recipe).

The images are written into a temporary directory, split 80/20 by the loader itself
(`validation_split` + `subset="both"` + `seed`), decoded by two worker threads while the model
trains, and the held-out accuracy is printed.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

import jkeras
from jkeras import layers


def write_image_folder(root):
    """digit i -> root/<i>/<n>.png, 8-bit grayscale (the 0..16 pixels scaled to 0..255)."""
    digits = load_digits()
    for n, (image, label) in enumerate(zip(digits.images, digits.target)):
        folder = os.path.join(root, str(label))
        os.makedirs(folder, exist_ok=True)
        pixels = (image * 255.0 / 16.0).round().astype("uint8")
        Image.fromarray(pixels, "L").save(os.path.join(folder, f"{n:04d}.png"))
    return len(digits.target)


def main():
    jkeras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory() as root:
        count = write_image_folder(root)
        print(f"wrote {count} PNG files")
        train, val = jkeras.utils.image_dataset_from_directory(
            root, validation_split=0.2, subset="both", seed=42, image_size=(8, 8),
            color_mode="grayscale", batch_size=32)
        print("classes:", train.class_names)
        train.workers = 2  # decode PNG files in two threads while the model trains
        model = jkeras.Sequential([
            jkeras.Input((8, 8, 1)),
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(len(train.class_names), activation="softmax"),
        ])
        model.compile(jkeras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(train, validation_data=val, epochs=12, verbose=2)
        loss, accuracy = model.evaluate(val, verbose=0)
        images, labels = val[0]
        predicted = np.argmax(model.predict(images[:8], verbose=0), axis=-1)
    print("first held-out labels:   ", labels[:8].tolist())
    print("first held-out predicted:", predicted.tolist())
    print(f"held-out accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()

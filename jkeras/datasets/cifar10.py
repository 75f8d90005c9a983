"""CIFAR10 small images classification (`keras.datasets.cifar10`)."""
import os

import numpy as np

from jkeras.datasets.cifar import as_keras_arrays, load_batch
from jkeras.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
BATCH_SIZE = 10000  # images per training batch file (5 files)


def load_data():
    """Loads CIFAR10: 50,000 32x32 colour training images over 10 classes (airplane,
    automobile, bird, cat, deer, dog, frog, horse, ship, truck) and 10,000 test images.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` images of shape `(n, 32, 32, 3)`
        (`(n, 3, 32, 32)` when `image_data_format()` is "channels_first") and `uint8` labels
        of shape `(n, 1)`.
    """
    path = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, extract=True,
                    file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    x_train = np.empty((5 * BATCH_SIZE, 3, 32, 32), dtype="uint8")
    y_train = np.empty((5 * BATCH_SIZE,), dtype="uint8")
    for i in range(1, 6):
        rows = slice((i - 1) * BATCH_SIZE, i * BATCH_SIZE)
        x_train[rows], y_train[rows] = load_batch(os.path.join(path, f"data_batch_{i}"))
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    (x_train, y_train), (x_test, y_test) = as_keras_arrays(x_train, y_train, x_test, y_test)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test.astype(y_train.dtype))

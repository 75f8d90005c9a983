"""MNIST handwritten digits (`keras.datasets.mnist`)."""
import numpy as np

from jkeras.datasets.common import TF_KERAS_DATASETS
from jkeras.utils.file_utils import get_file

ORIGIN = f"{TF_KERAS_DATASETS}mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Loads MNIST: 60,000 28x28 grayscale training images of the 10 digits and 10,000 test
    images.

    Args:
        path: where to cache the dataset locally (relative to `~/.keras/datasets`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` images of shape `(n, 28, 28)` (0-255)
        and `uint8` labels of shape `(n,)` (0-9).
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])

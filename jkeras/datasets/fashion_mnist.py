"""Fashion-MNIST (`keras.datasets.fashion_mnist`): gzipped IDX files."""
import gzip
import os

import numpy as np

from jkeras.datasets.common import TF_KERAS_DATASETS
from jkeras.utils.file_utils import get_file

BASE = TF_KERAS_DATASETS
FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]


def _read(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    """Loads Fashion-MNIST: 60,000 28x28 grayscale training images of 10 fashion categories
    and 10,000 test images (0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` images of shape `(n, 28, 28)` and
        `uint8` labels of shape `(n,)`.
    """
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(fname, origin=BASE + fname, cache_subdir=dirname) for fname in FILES]
    y_train = _read(paths[0], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read(paths[2], 8)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)

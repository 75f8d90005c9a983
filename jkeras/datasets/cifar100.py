"""CIFAR100 small images classification (`keras.datasets.cifar100`)."""
import os

from jkeras.datasets.cifar import as_keras_arrays, load_batch
from jkeras.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads CIFAR100: 50,000 32x32 colour training images and 10,000 test images over 100
    fine classes grouped into 20 coarse ones.

    Args:
        label_mode: `"fine"` (the 100 classes) or `"coarse"` (the 20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` images of shape `(n, 32, 32, 3)`
        (`(n, 3, 32, 32)` when `image_data_format()` is "channels_first") and labels of shape
        `(n, 1)`.
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    path = get_file(fname="cifar-100-python-target", origin=ORIGIN, extract=True,
                    file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=key)
    return as_keras_arrays(x_train, y_train, x_test, y_test)

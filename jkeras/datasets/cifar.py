"""What CIFAR10 and CIFAR100 share: reading one python-pickle batch file."""
import numpy as np

from jkeras.core.config import image_data_format
from jkeras.datasets.npz_utils import RestrictedUnpickler


def load_batch(fpath, label_key="labels"):
    """One CIFAR batch file -> `(data, labels)`, data of shape `(n, 3, 32, 32)`."""
    with open(fpath, "rb") as f:
        d = RestrictedUnpickler(f, encoding="bytes").load()
    d = {k.decode("utf8"): v for k, v in d.items()}
    data = d["data"]
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def as_keras_arrays(x_train, y_train, x_test, y_test):
    """Labels as `(n, 1)`, images channels-last unless `image_data_format()` says first."""
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)

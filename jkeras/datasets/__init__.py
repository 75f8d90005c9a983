"""`jkeras.datasets`: Keras's small NumPy datasets (`keras.datasets`), one module per dataset.

Each `load_data` downloads the same file as Keras (same origin, hash and cache path, so a
`~/.keras/datasets` filled by Keras is reused) and returns the same NumPy arrays.
"""
from jkeras.datasets import (boston_housing, california_housing, cifar10, cifar100,
                             fashion_mnist, imdb, mnist, reuters)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
           "imdb", "mnist", "reuters"]

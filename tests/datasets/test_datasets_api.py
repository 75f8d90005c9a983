"""Every loader of `keras.datasets` exists in `jkeras.datasets` with Keras's signature."""
import inspect

import pytest

from jkeras import datasets


def test_the_same_modules_functions_and_signatures(tf):
    import keras
    modules = sorted(n for n in dir(keras.datasets) if not n.startswith("_"))
    assert modules == sorted(datasets.__all__)
    for module in modules:
        theirs, ours = getattr(keras.datasets, module), getattr(datasets, module)
        names = [n for n in dir(theirs) if not n.startswith("_")]
        assert names  # load_data at least
        for name in names:
            assert (inspect.signature(getattr(ours, name))
                    == inspect.signature(getattr(theirs, name))), (module, name)


def test_bad_arguments_fail_before_any_download():
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1. It must be between"):
        datasets.california_housing.load_data(test_split=1)
    with pytest.raises(ValueError, match='`label_mode` must be one of `"fine"`, `"coarse"`. '
                                         "Received: label_mode=medium."):
        datasets.cifar100.load_data(label_mode="medium")
    with pytest.raises(TypeError, match=r"Unrecognized keyword arguments passed to `load_data`: "
                                        r"\{'num_word': 10\}"):
        datasets.imdb.load_data(num_word=10)

"""Keras 3's top-level names: the base-class aliases and `version()`."""
import keras as tf_keras_3
import pytest

import jkeras
from jkeras import initializers, layers, losses, metrics, optimizers, regularizers
from jkeras.core.symbolic import KerasTensor


@pytest.mark.parametrize("name, owner", [
    ("Layer", layers), ("Loss", losses), ("Metric", metrics), ("Optimizer", optimizers),
    ("Initializer", initializers), ("Regularizer", regularizers), ("InputSpec", layers)])
def test_base_class_aliases_are_the_module_classes(name, owner):
    assert getattr(jkeras, name) is getattr(owner, name)
    assert name in jkeras.__all__
    assert hasattr(tf_keras_3, name)


def test_keras_tensor_alias():
    assert jkeras.KerasTensor is KerasTensor
    assert jkeras.KerasTensor is jkeras.backend.KerasTensor
    x = jkeras.Input(shape=(3,))
    assert isinstance(x, jkeras.KerasTensor)


def test_subclassing_the_top_level_layer():
    class Double(jkeras.Layer):
        def call(self, x):
            return 2 * x

    import numpy as np
    np.testing.assert_array_equal(np.asarray(Double()(np.ones((1, 2), "float32"))),
                                  [[2.0, 2.0]])


def test_version_is_the_package_version():
    # Keras: `keras.version()` returns `keras.__version__`
    assert tf_keras_3.version() == tf_keras_3.__version__
    assert jkeras.version() == jkeras.__version__
    assert isinstance(jkeras.version(), str)

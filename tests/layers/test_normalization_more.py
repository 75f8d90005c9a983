"""GroupNormalization, UnitNormalization, RMSNormalization: layer_test with tf.keras parity and
Keras's errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


@pytest.mark.parametrize("kwargs, shape", [
    ({"groups": 2}, (2, 3, 4)),
    ({"groups": -1, "center": False}, (2, 3, 3, 4)),
    ({"groups": 3, "axis": 1, "epsilon": 0.1, "gamma_initializer": "random_normal",
      "beta_initializer": "random_uniform"}, (2, 6, 5)),
])
def test_group_normalization(tf, kwargs, shape):
    n = int(kwargs.get("center", True)) + int(kwargs.get("scale", True))
    result = layer_test(L.GroupNormalization, kwargs, input_shape=shape,
                        expected_output_shape=shape, expected_num_trainable_weights=n,
                        supports_masking=True)
    if kwargs["groups"] == -1:
        assert result.layer.get_config()["groups"] == 4  # as Keras: set at build


def test_group_normalization_errors():
    with pytest.raises(ValueError, match=r"invalid value for argument `groups`, expected a "
                                         r"positive integer \(or `-1` for instance "
                                         r"normalization\). Received: groups=0"):
        L.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"Number of groups \(3\) must be a multiple of the "
                                         r"number of channels \(4\). \(layer 'group_norm"):
        L.GroupNormalization(groups=3)(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match=r"Number of groups \(8\) cannot be more than"):
        L.GroupNormalization(groups=8)(np.zeros((1, 4), "float32"))


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization(tf, axis):
    result = layer_test(L.UnitNormalization, {"axis": axis}, input_shape=(2, 3, 4),
                        expected_output_shape=(2, 3, 4), supports_masking=True)
    norms = np.sqrt(np.sum(np.square(result.outputs), axis=tuple(np.atleast_1d(axis))))
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)


def test_unit_normalization_bad_axis():
    with pytest.raises(TypeError, match=r"Invalid value for `axis` argument: expected an int "
                                        r"or a list/tuple of ints. Received: axis=x"):
        L.UnitNormalization(axis="x")


@pytest.mark.parametrize("kwargs", [{}, {"axis": [1, 2], "epsilon": 0.1}])
def test_rms_normalization(tf, kwargs):
    layer_test(L.RMSNormalization, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
               expected_num_trainable_weights=1)

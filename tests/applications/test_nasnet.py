"""NASNetMobile / NASNetLarge against tf.keras.applications."""
import numpy as np
import pytest

from jkeras import applications
from jkeras.applications import nasnet


def test_nasnet_mobile_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "NASNetMobile", tmp_path, include_top=True, classes=3, scale=2.0)


def test_nasnet_large_builds_with_keras_param_count():
    # Keras's count for NASNetLarge(include_top=False) (tf.keras.applications, any input size)
    model = applications.NASNetLarge(weights=None, include_top=False, input_shape=(32, 32, 3),
                                     pooling="avg")
    assert model.name == "nasnet_large"
    assert model.count_params() == 84_916_818
    assert model.output_shape == (None, 4032)


def test_nasnet_preprocess_and_errors(tf, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty cache: the weights are missing
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(np.asarray(nasnet.preprocess_input(x.copy())),
                               tf.keras.applications.nasnet.preprocess_input(x.copy()))
    with pytest.raises(ValueError, match="must be static"):
        applications.NASNetMobile(input_shape=(None, None, 3), include_top=False)
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.NASNetMobile(classes=10)

"""EfficientNetV2B0-B3/S/M/L against tf.keras.applications."""
import numpy as np
import pytest

from jkeras import applications
from jkeras.applications import efficientnet_v2


def test_efficientnet_v2_b0_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "EfficientNetV2B0", tmp_path, include_top=True, classes=5,
                       legacy=True)


def test_efficientnet_v2_s_headless_outputs_match_tf(tf, parity, tmp_path):
    # S/M/L rescale to [-1, 1] instead of the B variants' mean/std normalisation
    parity.application(tf, "EfficientNetV2S", tmp_path, include_top=False, pooling="avg",
                       legacy=False)


@pytest.mark.parametrize("name,kw", [
    ("EfficientNetV2B1", dict(pooling="max")),
    ("EfficientNetV2B2", dict(include_preprocessing=False)),
    ("EfficientNetV2B3", dict(pooling="avg")),
    ("EfficientNetV2M", dict(pooling="avg")),
])
def test_bigger_efficientnet_v2_structure(tf, parity, name, kw):
    parity.same_structure(tf, name, include_top=False, input_shape=(32, 32, 3), **kw)


def test_efficientnet_v2_l_builds_with_keras_param_count():
    # Keras's count for EfficientNetV2L(include_top=False): 117,746,848 (architecture fixed)
    model = applications.EfficientNetV2L(weights=None, include_top=False,
                                         input_shape=(32, 32, 3))
    assert model.name == "efficientnetv2-l"
    assert model.count_params() == 117_746_848
    assert model.output_shape == (None, 1, 1, 1280)


def test_efficientnet_v2_errors_and_preprocess():
    x = np.arange(6.0).reshape(1, 1, 2, 3)
    assert efficientnet_v2.preprocess_input(x) is x
    with pytest.raises(ValueError, match="the weights file to be loaded.Received: weights=nope"):
        applications.EfficientNetV2B0(weights="nope")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.EfficientNetV2B0(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=(16, 16, 3))

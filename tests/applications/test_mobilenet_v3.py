"""MobileNetV3Small/Large against tf.keras.applications."""
import functools

import numpy as np
import pytest

from jkeras import applications
from jkeras.applications import mobilenet_v3


def test_mobilenet_v3_small_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(alpha=0.75, include_top=True, input_shape=(32, 32, 3), classes=6)
    ref = tf.keras.applications.MobileNetV3Small(weights=None, **kw)
    parity.outputs(functools.partial(applications.MobileNetV3Small, **dict(kw, weights=None)),
                   ref, tmp_path, (32, 32, 3), batch=2, legacy=False)


@pytest.mark.parametrize("minimalistic", [False, True])
def test_mobilenet_v3_large_structure(tf, parity, minimalistic):
    kw = dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg",
              minimalistic=minimalistic, include_preprocessing=False)
    parity.structure(applications.MobileNetV3Large(**kw),
                     tf.keras.applications.MobileNetV3Large(**kw))


def test_mobilenet_v3_preprocess_is_identity_and_errors():
    x = np.arange(6.0).reshape(1, 1, 2, 3)
    assert mobilenet_v3.preprocess_input(x) is x
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        applications.MobileNetV3Small(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="alpha can be one of `0.75`, `1.0`"):
        applications.MobileNetV3Small(alpha=0.5, input_shape=(32, 32, 3), include_top=False)

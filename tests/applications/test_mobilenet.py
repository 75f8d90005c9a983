"""MobileNet against tf.keras.applications."""
import functools

import pytest

from jkeras import applications


def test_mobilenet_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(alpha=0.25, include_top=True, input_shape=(32, 32, 3), classes=4)
    ref = tf.keras.applications.MobileNet(weights=None, **kw)
    parity.outputs(functools.partial(applications.MobileNet, **dict(kw, weights=None)), ref,
                   tmp_path, (32, 32, 3), batch=2, scale=2.0)


def test_mobilenet_depth_multiplier_structure(tf, parity):
    kw = dict(weights=None, alpha=0.5, depth_multiplier=2, include_top=False,
              input_shape=(64, 64, 3), pooling="max")
    parity.structure(applications.MobileNet(**kw), tf.keras.applications.MobileNet(**kw))


def test_mobilenet_imagenet_argument_errors():
    with pytest.raises(ValueError, match="depth multiplier must be 1"):
        applications.MobileNet(depth_multiplier=2, include_top=False, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="alpha can be one of"):
        applications.MobileNet(alpha=0.3, include_top=False, input_shape=(32, 32, 3))

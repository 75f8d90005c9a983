"""ResNet50/101/152 against tf.keras.applications: names, counts, weights, outputs."""
import functools

import pytest

from jkeras import applications
from jkeras.applications import resnet, resnet50


def test_resnet50_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(include_top=True, input_shape=(32, 32, 3), classes=7)
    ref = tf.keras.applications.ResNet50(weights=None, **kw)
    parity.outputs(functools.partial(applications.ResNet50, **dict(kw, weights=None)),
                   ref, tmp_path, (32, 32, 3))


@pytest.mark.parametrize("name", ["ResNet101", "ResNet152"])
def test_deeper_resnets_structure(tf, parity, name):
    kw = dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="max")
    parity.structure(getattr(applications, name)(**kw), getattr(tf.keras.applications, name)(**kw))


def test_resnet_modules():
    assert resnet50.ResNet50 is resnet.ResNet50
    assert resnet.preprocess_input is resnet50.preprocess_input

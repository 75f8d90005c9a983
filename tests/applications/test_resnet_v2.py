"""ResNet50V2/101V2/152V2 against tf.keras.applications."""
import functools

import pytest

from jkeras import applications


def test_resnet50v2_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    ref = tf.keras.applications.ResNet50V2(weights=None, **kw)
    parity.outputs(functools.partial(applications.ResNet50V2, **dict(kw, weights=None)), ref,
                   tmp_path, (32, 32, 3), legacy=False, scale=2.0)


@pytest.mark.parametrize("name", ["ResNet101V2", "ResNet152V2"])
def test_deeper_v2_structure(tf, parity, name):
    kw = dict(weights=None, include_top=True, input_shape=(32, 32, 3), classes=3)
    parity.structure(getattr(applications, name)(**kw), getattr(tf.keras.applications, name)(**kw))

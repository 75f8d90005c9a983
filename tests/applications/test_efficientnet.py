"""EfficientNetB0-B7 against tf.keras.applications."""
import functools

import pytest

from jkeras import applications


def test_efficientnet_b0_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(include_top=True, input_shape=(32, 32, 3), classes=3)
    ref = tf.keras.applications.EfficientNetB0(weights=None, **kw)
    parity.outputs(functools.partial(applications.EfficientNetB0, **dict(kw, weights=None)),
                   ref, tmp_path, (32, 32, 3), legacy=False)


@pytest.mark.parametrize("name", ["EfficientNetB1", "EfficientNetB3", "EfficientNetB7"])
def test_bigger_efficientnets_structure(tf, parity, name):
    kw = dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="max")
    parity.structure(getattr(applications, name)(**kw), getattr(tf.keras.applications, name)(**kw))

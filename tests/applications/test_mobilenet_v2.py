"""MobileNetV2 against tf.keras.applications."""
import functools

import pytest

from jkeras import applications


def test_mobilenet_v2_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(alpha=0.35, include_top=True, input_shape=(32, 32, 3), classes=3)
    ref = tf.keras.applications.MobileNetV2(weights=None, **kw)
    parity.outputs(functools.partial(applications.MobileNetV2, **dict(kw, weights=None)), ref,
                   tmp_path, (32, 32, 3), batch=2, scale=2.0)


@pytest.mark.parametrize("alpha", [1.0, 1.4])
def test_mobilenet_v2_structure(tf, parity, alpha):
    kw = dict(weights=None, alpha=alpha, include_top=False, input_shape=(96, 96, 3),
              pooling="avg")
    parity.structure(applications.MobileNetV2(**kw), tf.keras.applications.MobileNetV2(**kw))


def test_mobilenet_v2_input_tensor(tf, parity):
    import jkeras
    x = jkeras.Input((33, 33, 3))
    model = applications.MobileNetV2(weights=None, include_top=False, input_tensor=x)
    ref = tf.keras.applications.MobileNetV2(weights=None, include_top=False,
                                            input_tensor=tf.keras.Input((33, 33, 3)))
    parity.structure(model, ref)


def test_mobilenet_v2_argument_errors():
    with pytest.raises(ValueError, match="alpha must be one of"):
        applications.MobileNetV2(alpha=0.3, include_top=False, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.MobileNetV2(classes=10)
    with pytest.raises(ValueError, match="The `weights` argument should be either"):
        applications.MobileNetV2(weights="/no/such/file.h5")

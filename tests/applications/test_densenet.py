"""DenseNet121/169/201 against tf.keras.applications."""
import functools

import pytest

from jkeras import applications


def test_densenet121_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    ref = tf.keras.applications.DenseNet121(weights=None, **kw)
    parity.outputs(functools.partial(applications.DenseNet121, **dict(kw, weights=None)), ref,
                   tmp_path, (32, 32, 3), legacy=False, scale=1.0)


@pytest.mark.parametrize("name", ["DenseNet169", "DenseNet201"])
def test_bigger_densenets_structure(tf, parity, name):
    kw = dict(weights=None, include_top=True, input_shape=(32, 32, 3), classes=2)
    parity.structure(getattr(applications, name)(**kw), getattr(tf.keras.applications, name)(**kw))

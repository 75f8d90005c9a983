"""VGG16/VGG19 against tf.keras.applications."""
import functools

from jkeras import applications


def test_vgg16_headless_outputs_match_tf(tf, parity, tmp_path):
    kw = dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    ref = tf.keras.applications.VGG16(weights=None, **kw)
    parity.outputs(functools.partial(applications.VGG16, **dict(kw, weights=None)), ref,
                   tmp_path, (32, 32, 3), legacy=False)


def test_vgg19_structure_with_top(tf, parity):
    kw = dict(weights=None, include_top=True, input_shape=(32, 32, 3), classes=5,
              classifier_activation=None)
    parity.structure(applications.VGG19(**kw), tf.keras.applications.VGG19(**kw))

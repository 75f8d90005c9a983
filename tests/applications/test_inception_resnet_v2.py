"""InceptionResNetV2 against tf.keras.applications (at its minimum input, 75x75)."""


def test_inception_resnet_v2_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "InceptionResNetV2", tmp_path, input_shape=(75, 75, 3),
                       include_top=False, pooling="avg", legacy=False, scale=2.0)

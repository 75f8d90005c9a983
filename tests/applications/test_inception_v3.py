"""InceptionV3 against tf.keras.applications (at its minimum input, 75x75)."""


def test_inception_v3_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "InceptionV3", tmp_path, input_shape=(75, 75, 3), include_top=True,
                       classes=5, legacy=False, scale=2.0)


def test_inception_v3_headless_structure(tf, parity):
    parity.same_structure(tf, "InceptionV3", include_top=False, input_shape=(80, 90, 3),
                          pooling="avg")

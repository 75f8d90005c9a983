"""ResNet50V2/101V2/152V2 against tf.keras.applications."""
import jkeras


def test_resnet50v2_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "ResNet50V2", tmp_path, include_top=False, pooling="avg",
                       legacy=False, scale=2.0)


def test_deeper_v2_structure(tf, parity):
    for name in ("ResNet101V2", "ResNet152V2"):  # unnamed MaxPooling2D shortcuts: fresh names
        tf.keras.backend.clear_session()
        jkeras.utils.clear_session()
        parity.same_structure(tf, name, include_top=True, input_shape=(32, 32, 3), classes=3)

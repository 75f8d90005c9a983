"""DenseNet121/169/201 against tf.keras.applications."""
import pytest


def test_densenet121_outputs_match_tf(tf, parity, tmp_path):
    parity.application(tf, "DenseNet121", tmp_path, include_top=False, pooling="avg",
                       legacy=False, scale=1.0)


@pytest.mark.parametrize("name", ["DenseNet169", "DenseNet201"])
def test_bigger_densenets_structure(tf, parity, name):
    parity.same_structure(tf, name, include_top=True, input_shape=(32, 32, 3), classes=2)

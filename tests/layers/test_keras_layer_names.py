"""Every public name of keras.layers is in jkeras.layers or listed, with a reason, in
jkeras.layers.left_out.LEFT_OUT (and nothing listed there exists in jkeras.layers)."""
import keras

from jkeras import layers as L
from jkeras.layers.left_out import LEFT_OUT

KERAS_NAMES = sorted(n for n in dir(keras.layers) if not n.startswith("_"))


def test_every_keras_layers_name_is_provided_or_left_out_with_a_reason():
    missing = [n for n in KERAS_NAMES if not hasattr(L, n) and n not in LEFT_OUT]
    assert missing == []


def test_left_out_names_are_keras_names_jkeras_lacks():
    assert sorted(n for n in LEFT_OUT if hasattr(L, n)) == []
    assert sorted(set(LEFT_OUT) - set(KERAS_NAMES)) == []
    assert all(isinstance(r, str) and r for r in LEFT_OUT.values())


def test_provided_names_are_exported():
    provided = [n for n in KERAS_NAMES if hasattr(L, n)]
    assert sorted(set(provided) - set(L.__all__)) == []

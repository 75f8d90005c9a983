"""`jkeras.layers.serialize` / `deserialize` as Keras 3's `keras.layers.serialize` / `deserialize`."""
import numpy as np
import pytest

import jkeras


def test_serialize_matches_keras_and_round_trips(tf):
    keras = pytest.importorskip("keras")
    ours = jkeras.layers.Dense(3, activation="relu", name="d")
    theirs = keras.layers.Dense(3, activation="relu", name="d")
    assert jkeras.layers.serialize(ours) == keras.layers.serialize(theirs)
    ours.build((None, 2))
    theirs.build((None, 2))
    assert jkeras.layers.serialize(ours) == keras.layers.serialize(theirs)
    restored = jkeras.layers.deserialize(keras.layers.serialize(theirs))
    assert isinstance(restored, jkeras.layers.Dense) and restored.units == 3
    x = np.ones((1, 2), np.float32)
    restored.set_weights(theirs.get_weights())
    np.testing.assert_allclose(restored(x), theirs(x), rtol=1e-6)


def test_custom_objects_and_bad_input():
    class Twice(jkeras.layers.Layer):
        def call(self, x):
            return 2 * x

    config = jkeras.layers.serialize(Twice(name="twice"))
    restored = jkeras.layers.deserialize(config, custom_objects={"Twice": Twice})
    assert isinstance(restored, Twice) and restored.name == "twice"
    with pytest.raises(TypeError, match="expects a Layer"):
        jkeras.layers.serialize("dense")

"""`layer.output` as Keras 3: the output of the layer's first call (several calls allowed)."""
import pytest

import jkeras


def test_output_is_the_first_calls_as_tf_keras(tf):
    for keras in (jkeras, tf.keras):
        a, b = keras.Input((3,)), keras.Input((3,))
        dense = keras.layers.Dense(2)
        first, _ = dense(a), dense(b)
        assert dense.output is first
    with pytest.raises(AttributeError):  # (Keras: "... has never been called ...")
        jkeras.layers.Dense(2).output

"""The functional merge helpers: same results as tf.keras's on arrays, and in functional models
they add the named layer."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

_r = np.random.default_rng(0)
A, B, C = (_r.normal(size=(2, 4)).astype("float32") for _ in range(3))

CALLS = [("add", [A, B, C], {}), ("subtract", [A, B], {}), ("multiply", [A, B], {}),
         ("average", [A, B, C], {}), ("maximum", [A, B], {}), ("minimum", [A, B], {}),
         ("concatenate", [A, B], {"axis": 0}), ("concatenate", [A, B], {}),
         ("dot", [A, B], {"axes": 1, "normalize": True}), ("dot", [A, B], {})]


@pytest.mark.parametrize("name, inputs, kwargs", CALLS)
def test_equals_tf_keras(tf, name, inputs, kwargs):
    ours = getattr(L, name)(inputs, **kwargs)
    theirs = getattr(tf.keras.layers, name)(inputs, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, cls", [("add", "Add"), ("subtract", "Subtract"),
                                       ("concatenate", "Concatenate"), ("dot", "Dot")])
def test_in_a_functional_model(name, cls):
    x, y = jkeras.Input((4,)), jkeras.Input((4,))
    out = getattr(L, name)([x, y], name="merge")
    model = jkeras.Model([x, y], out)
    assert type(model.get_layer("merge")).__name__ == cls
    expected = getattr(L, cls)(**({"axes": -1} if cls == "Dot" else {}))([A, B])
    np.testing.assert_allclose(model([A, B]), expected, rtol=1e-6)


def test_wrong_inputs_get_the_layer_error():
    with pytest.raises(ValueError, match="Subtract"):
        L.subtract([A, B, C])

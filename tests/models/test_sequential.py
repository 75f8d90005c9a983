"""Sequential: list / add / pop, immediate vs lazy build, nesting."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


@pytest.mark.parametrize("first", [
    lambda: L.Dense(64, activation="relu", input_shape=(16,)),
    lambda: L.Dense(64, activation="relu", input_dim=16),
    lambda: L.Dense(64, activation="relu", batch_input_shape=(None, 16)),
])
def test_built_at_once_when_first_layer_has_an_input_shape(first):
    model = jkeras.Sequential()
    model.add(first())
    model.add(L.Dense(64, activation="relu"))
    model.add(L.Dense(10))
    assert model.built
    assert [w.shape for w in model.weights] == [(16, 64), (64,), (64, 64), (64,), (64, 10), (10,)]
    assert model.count_params() == 16 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10


def test_input_first_builds_and_list_equals_add():
    a = jkeras.Sequential([jkeras.Input(shape=(4,)), L.Dense(3), L.Dense(2)])
    b = jkeras.Sequential()
    b.add(jkeras.Input(shape=(4,)))
    b.add(L.Dense(3))
    b.add(L.Dense(2))
    assert a.built and b.built
    assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    assert [layer.name for layer in a.layers] == ["dense", "dense_1"]


def test_lazy_build_on_first_call_and_by_build():
    model = jkeras.Sequential([L.Dense(3), L.Dense(1)])
    assert not model.built and model.weights == []
    y = model(np.ones((5, 7), np.float32))
    assert y.shape == (5, 1) and model.built and model.weights[0].shape == (7, 3)
    other = jkeras.Sequential([L.Dense(3)])
    other.build((None, 2))
    assert other.built and other.weights[0].shape == (2, 3)


def test_pop_and_errors():
    model = jkeras.Sequential([jkeras.Input(shape=(4,)), L.Dense(3), L.Dense(2)])
    removed = model.pop()
    assert removed.name == "dense_1" and len(model.layers) == 1
    assert model(np.ones((1, 4), np.float32)).shape == (1, 3)
    with pytest.raises(TypeError, match="Only instances of `jkeras.layers.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(L.Dense(2, name="dense"))
    empty = jkeras.Sequential()
    with pytest.raises(TypeError, match="no layers"):
        empty.pop()


def test_nested_sequential_and_pure_apply():
    inner = jkeras.Sequential([L.Dense(4, activation="relu"), L.Dense(4)])
    model = jkeras.Sequential([jkeras.Input(shape=(3,)), inner, L.Dense(1)])
    v = model.get_variables()
    assert set(v["params"]) == {"sequential", "dense_2"}
    assert set(v["params"]["sequential"]) == {"dense", "dense_1"}
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(model.apply(v, x)[0], model(x), rtol=1e-6)
    np.testing.assert_allclose(jax.jit(model.apply)(v, x)[0], model(x), rtol=1e-6, atol=1e-7)


def test_built_sequential_exposes_its_graph_endpoints(tf):
    ours = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(2)])
    theirs = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    assert (ours.input.shape, ours.output.shape) == ((None, 4), (None, 2))
    assert [tuple(t.shape) for t in ours.inputs + ours.outputs] == \
        [tuple(t.shape) for t in theirs.inputs + theirs.outputs]
    assert tuple(ours.output_shape) == tuple(theirs.output_shape)
    # a functional model built on the Sequential's endpoints shares its layers
    reused = jkeras.Model(ours.inputs, ours.outputs)
    x = np.ones((3, 4), np.float32)
    # outputs=[y]: Keras's Functional.call unpacks the singleton, so this is y itself
    assert not isinstance(tf.keras.Model(theirs.inputs, theirs.outputs)(x), (list, tuple))
    np.testing.assert_allclose(reused(x), ours(x))
    with pytest.raises(AttributeError):
        jkeras.Sequential([jkeras.layers.Dense(2)]).inputs

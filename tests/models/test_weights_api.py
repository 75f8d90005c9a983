"""Keras's weights API: weights / trainable / non-trainable / variables, get/set, get_layer."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def model_with_state():
    norm = L.Normalization()
    norm.adapt(np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32))
    return jkeras.Sequential([jkeras.Input(shape=(3,)), norm, L.Dense(2)])


def test_weight_lists_in_keras_order():
    model = model_with_state()
    assert [w.path for w in model.weights] == [
        "normalization/mean", "normalization/variance", "normalization/count",
        "dense/kernel", "dense/bias"]
    assert [w.path for w in model.trainable_weights] == ["dense/kernel", "dense/bias"]
    assert [w.path for w in model.non_trainable_weights] == [
        "normalization/mean", "normalization/variance", "normalization/count"]
    assert model.variables == model.weights
    assert model.trainable_variables == model.trainable_weights
    assert model.non_trainable_variables == model.non_trainable_weights


def test_frozen_layer_moves_to_non_trainable():
    model = model_with_state()
    model.get_layer("dense").trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 5


def test_get_and_set_weights_round_trip_and_cast():
    layer = L.Dense(units=1, activation="linear")
    assert layer.get_weights() == []
    layer(np.ones((1, 1), np.float32))
    layer.set_weights([np.array([[200]]), np.array([100])])
    w, b = layer.get_weights()
    assert w.dtype == np.float32 and w.tolist() == [[200.0]] and b.tolist() == [100.0]
    x = np.array([[1.0], [2.0]], np.float32)
    np.testing.assert_allclose(layer(x), x @ w + b)


def test_set_weights_errors_change_nothing():
    model = model_with_state()
    before = model.get_weights()
    with pytest.raises(ValueError, match="weight list of length 2, but the layer was expecting 5"):
        model.set_weights(before[:2])
    bad = [w.copy() + 1 for w in before]
    bad[3] = np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match=r"weight shape \(3, 2\) is not compatible.*\(4, 2\)"):
        model.set_weights(bad)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_get_layer_by_name_and_index_and_errors():
    model = jkeras.Sequential([jkeras.Input(shape=(1,)), L.Dense(1, activation="sigmoid", name="L1")])
    assert model.get_layer("L1") is model.layers[0] is model.get_layer(index=0)
    with pytest.raises(ValueError, match=r"No such layer: L2. Existing layers are: \['L1'\]"):
        model.get_layer("L2")
    with pytest.raises(ValueError, match="only has 1 layers"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()


def test_count_params_and_built_flags():
    model = jkeras.Sequential([L.Dense(2)])
    assert not model.built
    with pytest.raises(ValueError, match="isn't built yet"):
        model.count_params()
    model.build((None, 3))
    assert model.built and model.count_params() == 8


def test_variable_handles_behave_like_tf_variables():
    layer = L.Dense(2)
    layer.build((None, 2))
    k = layer.kernel
    assert k.shape == (2, 2) and k.name == "kernel" and k.path == "dense/kernel" and k.trainable
    k.assign(np.eye(2))
    np.testing.assert_array_equal(k.numpy(), np.eye(2))
    np.testing.assert_array_equal(np.asarray(k + 1), np.eye(2) + 1)
    with pytest.raises(ValueError, match="has shape"):
        k.assign(np.ones(3))
    assert "path=dense/kernel" in repr(k)


def test_set_variables_round_trip():
    model = model_with_state()
    v = model.get_variables()
    model.set_variables({"params": {"dense": {"kernel": v["params"]["dense"]["kernel"] * 0,
                                              "bias": v["params"]["dense"]["bias"]}},
                         "state": v["state"]})
    assert float(np.abs(model.get_weights()[3]).sum()) == 0.0

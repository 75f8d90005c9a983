"""The Keras attribute walk that names `.weights.h5` groups, and jkeras round trips: subclassed
models (sorted attributes, `layers` first among them, private ones last, containers named by
class with counters, shared layers saved once), nested layers, frozen layers, saving from a
callback during fit, open h5py groups (as the `.keras` archive uses them)."""
import io

import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving import keras_walk, weights_h5


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


class Pair(L.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = L.Dense(3)
        self.norm = L.LayerNormalization()

    def call(self, x):
        return self.norm(self.inner(x))


class Net(jkeras.Model):
    def __init__(self, shared):
        super().__init__()
        self.zeta = L.Dense(4)  # "layers" sorts before "zeta": saved at layers/dense
        self.blocks = [L.Dense(4), L.Dropout(0.2), [L.Dense(4), shared], L.Dense(4)]
        self.by_name = {"b": Pair(), "a": L.BatchNormalization()}  # dict: values in order
        self.again = shared  # first reached here ("again" < "blocks")
        self._private = L.Dense(2)  # private names come last (here: reached via `layers`)

    def call(self, x, training=False):
        x = self.zeta(x)
        for layer in self.blocks[:2] + self.blocks[2] + self.blocks[3:]:
            x = layer(x, training=training)
        x = self.by_name["a"](self.by_name["b"](x), training=training)
        return self._private(x)


def make_net():
    model = Net(L.Dense(4, name="shared"))
    model(data((2, 4)))
    return model


def paths(model):
    return [(e.path, type(e.obj).__name__) for e in keras_walk.walk(model)]


def test_subclassed_walk_follows_keras_rules():
    model = make_net()
    assert paths(model) == [
        ("", "Net"),
        ("again", "Dense"),
        ("blocks/dense", "Dense"), ("blocks/dropout", "Dropout"),
        ("blocks/container/dense", "Dense"),  # the shared layer (dense_1 here) was visited
        ("blocks/dense_1", "Dense"),
        ("by_name/pair", "Pair"), ("by_name/pair/inner", "Dense"),
        ("by_name/pair/norm", "LayerNormalization"),
        ("by_name/batch_normalization", "BatchNormalization"),
        ("layers/dense", "Dense"),  # zeta, first of model.layers
        ("layers/dense_5", "Dense"),  # _private: in model.layers too, its 6th Dense
    ]  # as tf.keras writes for the same class (checked in tests/parity/test_weights_h5_parity.py)


def test_subclassed_round_trip_and_file_layout(tmp_path):
    model = make_net()
    model.set_weights([w + data(w.shape, i) for i, w in enumerate(model.get_weights())])
    path = str(tmp_path / "net.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert f["vars"].attrs["name"] == model.name and len(f["vars"]) == 0
        assert f["again/vars"].attrs["name"] == "shared"
        assert f["blocks/dropout/vars"].attrs["name"] == model.blocks[1].name
        assert len(f["blocks/dropout/vars"]) == 0  # a group even without variables, as Keras
        bn = f["by_name/batch_normalization/vars"]
        np.testing.assert_array_equal(bn["2"][()], np.asarray(model.by_name["a"].moving_mean))
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], np.asarray(model.zeta.kernel))
    other = make_net()
    other.load_weights(path)
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = data((3, 4), 5)
    np.testing.assert_allclose(np.asarray(other(x)), np.asarray(model(x)), rtol=1e-6)


def test_normalization_state_and_int64_count(tmp_path):
    norm = L.Normalization()
    norm.adapt(data((50, 3), 1) * 2 + 5)
    model = jkeras.Sequential([jkeras.Input((3,)), norm, L.Dense(1)])
    path = str(tmp_path / "n.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r+") as f:  # tf.keras writes the count as int64
        assert f["layers/normalization/vars/2"].shape == ()
        del f["layers/normalization/vars/2"]
        f["layers/normalization/vars/2"] = np.int64(50)
    fresh = jkeras.Sequential([jkeras.Input((3,)), L.Normalization(), L.Dense(1)])
    fresh.load_weights(path)
    x = data((4, 3), 2)
    np.testing.assert_allclose(np.asarray(fresh(x)), np.asarray(model(x)), rtol=1e-6)
    assert int(fresh.layers[0].count.numpy()) == 50


def test_frozen_layer_has_no_optimizer_slots(tmp_path):
    def make():
        jkeras.utils.set_random_seed(1)
        m = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3, trainable=False), L.Dense(2)])
        m.compile(jkeras.optimizers.Adam(0.01), "mse")
        return m
    x, y = data((16, 4), 1), data((16, 2), 2)
    model = make()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    path = str(tmp_path / "f.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert len(f["optimizer/vars"]) == 2 + 2 * 2  # slots for dense_1 only
        assert f["optimizer/vars/2"].shape == (3, 2)
    resumed = make()
    resumed.load_weights(path)
    for m in (model, resumed):
        m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_save_from_a_callback_during_fit(tmp_path):
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(2)])
    model.compile(jkeras.optimizers.SGD(0.1, momentum=0.9), "mse")
    path, seen = str(tmp_path / "cb.weights.h5"), {}

    def on_epoch_end(epoch, logs):
        if epoch == 0:
            model.save_weights(path)
            seen["weights"] = model.get_weights()
    model.fit(data((16, 4)), data((16, 2), 1), epochs=2, batch_size=8, shuffle=False, verbose=0,
              callbacks=[jkeras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)])
    with h5py.File(path, "r") as f:
        assert f["optimizer/vars/0"][()] == 2  # two steps into the first epoch's end
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], seen["weights"][0])
    assert int(model.optimizer.iterations) == 4


def test_write_and_read_on_an_open_group():
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3), L.Dense(1)])
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        weights_h5.write_weights(model, f)
    fresh = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3), L.Dense(1)])
    with h5py.File(io.BytesIO(buffer.getvalue()), "r") as f:
        weights_h5.read_weights(fresh, f)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_bfloat16_weights_round_trip(tmp_path):
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3, dtype="bfloat16")])
    path = str(tmp_path / "bf.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert f["layers/dense/vars/0"].attrs["dtype"] == "bfloat16"
    fresh = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3, dtype="bfloat16")])
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a.astype(np.float32), b.astype(np.float32))


def test_functional_with_two_inputs_and_a_shared_layer(tmp_path):
    def make():
        a, b = jkeras.Input((4,)), jkeras.Input((4,))
        shared = L.Dense(3)
        out = L.Dense(1)(L.Concatenate()([shared(a), shared(b)]))
        return jkeras.Model([a, b], out)
    model = make()
    walked = paths(model)
    assert ("layers/input_layer", "InputLayer") in walked
    assert ("layers/input_layer_1", "InputLayer") in walked
    assert [p for p, kind in walked if kind == "Dense"] == ["layers/dense", "layers/dense_1"]
    path = str(tmp_path / "two.weights.h5")
    model.save_weights(path)
    fresh = make()
    fresh.load_weights(path)
    x = [data((2, 4), 1), data((2, 4), 2)]
    np.testing.assert_allclose(np.asarray(fresh(x)), np.asarray(model(x)), rtol=1e-6)


@pytest.mark.parametrize("bad", ["x.h5", "x.keras.h5", "x.weights"])
def test_save_rejects_other_names(bad, tmp_path):
    with pytest.raises(ValueError, match="must end in"):
        jkeras.Sequential([jkeras.Input((2,)), L.Dense(1)]).save_weights(str(tmp_path / bad))

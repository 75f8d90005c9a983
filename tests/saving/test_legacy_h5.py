"""Legacy Keras 2 `.h5` files: read what tf.keras writes, write what tf.keras reads."""
import json

import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.saving import legacy_h5, optimizer_vars

X = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
Y = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")


def tf_functional(tf):
    k = tf.keras
    inp = k.Input((4,))
    x = k.layers.Dense(3, activation="relu")(inp)
    x2 = k.layers.BatchNormalization()(x)
    y = k.layers.Add()([x, x2])
    return k.Model(inp, k.layers.Dense(2)(y))


def jk_functional(names=("dense", "batch_normalization", "dense_1")):
    inp = jkeras.Input((4,))
    x = layers.Dense(3, activation="relu", name=names[0])(inp)
    x2 = layers.BatchNormalization(name=names[1])(x)
    y = layers.Add()([x, x2])
    return jkeras.Model(inp, layers.Dense(2, name=names[2])(y))


def test_load_model_from_tf_keras_h5_with_optimizer(tf, tmp_path):
    ref = tf_functional(tf)
    ref.compile(optimizer="adam", loss="mse", metrics=["mae"])
    ref.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    ref.save(str(tmp_path / "m.h5"))
    model = jkeras.models.load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(np.asarray(model(X)), ref(X).numpy(), atol=1e-6)
    assert [layer.name for layer in model.layers] == [layer.name for layer in ref.layers]
    assert model.optimizer.__class__.__name__ == "Adam"
    # The optimizer state continues: one more epoch on both sides gives the same weights.
    ref.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_load_sequential_h5_uncompiled(tf, tmp_path):
    ref = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(5, "tanh"),
                               tf.keras.layers.Dense(2)])
    ref.save(str(tmp_path / "s.h5"))
    model = jkeras.models.load_model(str(tmp_path / "s.h5"), compile=False)
    assert isinstance(model, jkeras.Sequential)
    np.testing.assert_allclose(np.asarray(model(X)), ref(X).numpy(), atol=1e-6)


def test_tf_keras_loads_jkeras_h5(tf, tmp_path):
    model = jk_functional()
    # A loss object: tf.keras 2.21 cannot compile from its own .h5 files when loss="mse"
    # ("Could not deserialize 'keras.metrics.mse'"), whoever wrote them.
    model.compile(optimizer="adam", loss=jkeras.losses.MeanSquaredError())
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "j.h5")
    ref = tf.keras.models.load_model(str(tmp_path / "j.h5"))
    np.testing.assert_allclose(ref(X).numpy(), np.asarray(model(X)), atol=1e-6)
    assert int(ref.optimizer.iterations.numpy()) == 4
    # tf.keras 2.21 restores only iterations and learning_rate from an .h5 optimizer group
    # (and cannot fit afterwards: "Unknown variable"), even from its own files; the slots are
    # checked by jkeras's own round trip (test_jkeras_h5_round_trip_keeps_optimizer_slots).
    ours = optimizer_vars.current_view(model, model.optimizer).keras_arrays(model.optimizer)
    assert len(ours) == 14  # iterations, learning_rate, (momentum, velocity) x 6 weights
    theirs = [v.numpy() for v in ref.optimizer.variables]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a), b, atol=1e-7)


def test_jkeras_h5_round_trip_sequential(tmp_path):
    model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3), layers.Dense(1)])
    model.save(tmp_path / "s.hdf5")
    again = jkeras.models.load_model(tmp_path / "s.hdf5")
    np.testing.assert_allclose(np.asarray(again(X)), np.asarray(model(X)))


def test_jkeras_h5_round_trip_keeps_optimizer_slots(tmp_path):
    model = jk_functional()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "j.h5")
    again = jkeras.models.load_model(tmp_path / "j.h5")
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    again.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_load_weights_topological_and_by_name(tf, tmp_path):
    ref = tf_functional(tf)
    ref.save(str(tmp_path / "m.h5"))
    # Topological: layer names do not matter, order does.
    model = jk_functional(names=("a", "b", "c"))
    model.load_weights(tmp_path / "m.h5")
    np.testing.assert_allclose(np.asarray(model(X)), ref(X).numpy(), atol=1e-6)
    # By name: only the layers whose names match are loaded.
    other = jk_functional(names=("dense", "other_bn", "other_dense"))
    before = other.get_layer("other_dense").get_weights()
    other.load_weights(tmp_path / "m.h5", by_name=True)
    np.testing.assert_allclose(other.get_layer("dense").get_weights()[0],
                               ref.get_layer("dense").get_weights()[0])
    np.testing.assert_allclose(other.get_layer("other_dense").get_weights()[0], before[0])


def test_mismatches(tf, tmp_path):
    ref = tf_functional(tf)
    ref.save(str(tmp_path / "m.h5"))
    wide = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(7, name="dense"),
                              layers.BatchNormalization(name="batch_normalization"),
                              layers.Dense(2, name="dense_1")])
    before = [np.asarray(w) for w in wide.get_weights()]
    with pytest.raises(ValueError, match="Shape mismatch in layer #0"):
        wide.load_weights(tmp_path / "m.h5")
    for a, b in zip(wide.get_weights(), before):  # nothing was loaded
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Skipping loading weights"):
        wide.load_weights(tmp_path / "m.h5", skip_mismatch=True)
    np.testing.assert_allclose(wide.layers[2].get_weights()[1],
                               ref.layers[-1].get_weights()[1])
    short = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="Layer count mismatch"):
        short.load_weights(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        short.load_weights(tmp_path / "x.weights.h5", by_name=True)


def test_weights_only_file_tf_keras_reads(tf, tmp_path):
    model = jk_functional()
    legacy_h5.save_weights(model, tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5") as f:
        assert list(legacy_h5.load_attributes(f, "layer_names"))[1:] == \
            ["dense", "batch_normalization", "add", "dense_1"]
    ref = tf_functional(tf)
    ref.load_weights(str(tmp_path / "w.h5"))
    np.testing.assert_allclose(ref(X).numpy(), np.asarray(model(X)), atol=1e-6)
    again = jk_functional(names=("p", "q", "r"))
    again.load_weights(tmp_path / "w.h5")
    np.testing.assert_allclose(np.asarray(again(X)), np.asarray(model(X)))
    with pytest.raises(ValueError, match="The filename must end in `.weights.h5`"):
        model.save_weights(tmp_path / "w2.h5")  # Keras 3's rule for save_weights


def test_keras2_node_format(tf, tmp_path):
    """A Keras 2 file: no modules, `inbound_nodes` as [[name, node, tensor, kwargs]]."""
    ref = tf_functional(tf)
    ref.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["class_name"] = "Model"
        for entry in config["config"]["layers"]:
            old = []
            for node in entry["inbound_nodes"]:
                args = node["args"][0]
                tensors = args if isinstance(args, list) else [args]
                old.append([t["config"]["keras_history"] + [{}] for t in tensors])
            entry["inbound_nodes"] = old
        f.attrs["model_config"] = json.dumps(config)
    model = jkeras.models.load_model(tmp_path / "m.h5", compile=False)
    np.testing.assert_allclose(np.asarray(model(X)), ref(X).numpy(), atol=1e-6)

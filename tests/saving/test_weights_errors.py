"""Loading files that do not fit: one ValueError listing every mismatch, the model unchanged;
skip_mismatch=True loads what fits and warns; broken files and bad arguments get clear errors."""
import os

import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def mlp(*units, inputs=4):
    return jkeras.Sequential([jkeras.Input((inputs,))] + [L.Dense(u) for u in units])


def saved(model, tmp_path, name="m.weights.h5"):
    path = str(tmp_path / name)
    model.save_weights(path)
    return path


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def assert_unchanged(model, before):
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_wrong_shapes_list_every_mismatch_and_change_nothing(tmp_path):
    path = saved(mlp(3, 2), tmp_path)
    target = mlp(5, 2)
    before = snapshot(target)
    with pytest.raises(ValueError) as err:
        target.load_weights(path)
    message = str(err.value)
    assert "m.weights.h5" in message and "2 mismatch" in message
    assert "layers/dense/vars" in message and "layers/dense_1/vars" in message
    assert "'kernel' is [4, 5] in the model but [4, 3] in the file" in message
    assert "unchanged" in message
    assert_unchanged(target, before)


def test_missing_layer_in_the_file(tmp_path):
    path = saved(mlp(3), tmp_path)
    target = mlp(3, 2)
    before = snapshot(target)
    with pytest.raises(ValueError, match=r"layers/dense_1/vars .*not in the file"):
        target.load_weights(path)
    assert_unchanged(target, before)


def test_file_with_more_layers_than_the_model(tmp_path):
    path = saved(mlp(3, 2, 2), tmp_path)
    target = mlp(3, 2)
    before = snapshot(target)
    with pytest.raises(ValueError, match="no place for: layers/dense_2/vars"):
        target.load_weights(path)
    assert_unchanged(target, before)


def test_different_architecture(tmp_path):
    inp = jkeras.Input((5, 3))
    other = jkeras.Model(inp, L.Dense(1)(L.LSTM(4)(inp)))
    path = saved(other, tmp_path)
    target = mlp(3, 2)
    before = snapshot(target)
    with pytest.raises(ValueError, match="do not fit model"):
        target.load_weights(path)
    assert_unchanged(target, before)


def test_skip_mismatch_loads_what_fits_and_warns(tmp_path):
    source = mlp(3, 2)
    path = saved(source, tmp_path)
    target = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3), L.Dense(7)])
    before = snapshot(target)
    with pytest.warns(UserWarning, match=r"Skipping 1 object.*layers/dense_1/vars"):
        target.load_weights(path, skip_mismatch=True)
    after = target.get_weights()
    np.testing.assert_array_equal(after[0], source.get_weights()[0])
    np.testing.assert_array_equal(after[1], source.get_weights()[1])
    np.testing.assert_array_equal(after[2], before[2])  # the mismatching layer keeps its own


def test_not_an_hdf5_file(tmp_path):
    path = tmp_path / "junk.weights.h5"
    path.write_bytes(b"this is not hdf5" * 100)
    with pytest.raises(ValueError, match="junk.weights.h5.* is not a valid HDF5 weights file"):
        mlp(3).load_weights(str(path))


def test_truncated_file(tmp_path):
    path = saved(mlp(300, 200), tmp_path)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    target = mlp(300, 200)
    before = snapshot(target)
    with pytest.raises(ValueError, match="m.weights.h5.* not a valid or complete HDF5 weights"):
        target.load_weights(path)
    assert_unchanged(target, before)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.weights.h5"):
        mlp(3).load_weights(str(tmp_path / "nothere.weights.h5"))


def test_filename_must_end_in_weights_h5(tmp_path):
    with pytest.raises(ValueError, match=r"The filename must end in `\.weights\.h5`"):
        mlp(3).save_weights(str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match="File format not supported"):
        mlp(3).load_weights(str(tmp_path / "m.npz"))
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        mlp(3).load_weights(str(tmp_path / "m.weights.h5"), by_name=True)
    with pytest.raises(ValueError, match="Invalid keyword arguments"):
        mlp(3).load_weights(str(tmp_path / "m.weights.h5"), objects_to_skip=[])


def test_unbuilt_models():
    model = jkeras.Sequential([L.Dense(3)])
    with pytest.raises(ValueError, match="saving a model that has not yet been built"):
        model.save_weights("never.weights.h5")
    assert not os.path.exists("never.weights.h5")


def test_unbuilt_model_load(tmp_path):
    path = saved(mlp(3), tmp_path)
    with pytest.raises(ValueError, match="loading weights into a model that has not yet been"):
        jkeras.Sequential([L.Dense(3)]).load_weights(path)


def test_overwrite_false_asks(tmp_path, monkeypatch):
    first, second = mlp(3), mlp(3)
    path = saved(first, tmp_path)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    second.save_weights(path, overwrite=False)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], first.get_weights()[0])
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    second.save_weights(path, overwrite=False)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], second.get_weights()[0])


def test_soft_links_are_refused(tmp_path):
    path = saved(mlp(3), tmp_path)
    with h5py.File(path, "r+") as f:
        f["elsewhere"] = f["layers/dense/vars/0"][()]
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.SoftLink("/elsewhere")
    with pytest.raises(ValueError, match="Not allowed: H5 file with SoftLink"):
        mlp(3).load_weights(path)


def test_optimizer_shape_mismatch_is_reported(tmp_path):
    source = mlp(3)
    source.compile(jkeras.optimizers.Adam(), "mse")
    source.fit(np.ones((4, 4)), np.ones((4, 3)), verbose=0)
    path = saved(source, tmp_path)
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/2"]
        f["optimizer/vars/2"] = np.zeros((5, 3), np.float32)
    target = mlp(3)
    target.compile(jkeras.optimizers.Adam(), "mse")
    before = snapshot(target)
    with pytest.raises(ValueError, match=r"optimizer/vars .*variable 2 is \[4, 3\]"):
        target.load_weights(path)
    assert_unchanged(target, before)
    assert target.engine.opt_state is None

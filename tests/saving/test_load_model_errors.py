"""Bad `.keras` files and paths: clear errors naming the file, and no code run from a file."""
import io
import json
import zipfile

import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers


@pytest.fixture
def saved(tmp_path):
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2, name="d")], name="small")
    path = tmp_path / "m.keras"
    m.save(path)
    return path


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _edit_config(src, dst, edit):
    members = _members(src)
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config)
    _write_zip(dst, members)


def test_not_a_zip(tmp_path):
    path = tmp_path / "plain.keras"
    path.write_text("this is not a zip")
    with pytest.raises(ValueError, match=r"plain\.keras is not a valid `\.keras` file"):
        jkeras.models.load_model(path)


def test_truncated_zip(tmp_path, saved):
    data = saved.read_bytes()
    for cut in (len(data) // 2, len(data) - 10):
        path = tmp_path / f"cut{cut}.keras"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"cut{cut}.keras"):
            jkeras.models.load_model(path)


def test_corrupted_weights_member(tmp_path, saved):
    members = _members(saved)
    members["model.weights.h5"] = b"not hdf5 at all"
    _write_zip(tmp_path / "bad.keras", members)
    with pytest.raises(ValueError, match=r"model\.weights\.h5 in .*bad\.keras is not a readable"):
        jkeras.models.load_model(tmp_path / "bad.keras")


def test_missing_and_unknown_members(tmp_path, saved):
    members = _members(saved)
    _write_zip(tmp_path / "nocfg.keras", {k: v for k, v in members.items() if k != "config.json"})
    with pytest.raises(ValueError, match=r"\['config\.json'\] missing"):
        jkeras.models.load_model(tmp_path / "nocfg.keras")
    _write_zip(tmp_path / "extra.keras", {**members, "evil.py": b"print('hi')"})
    with pytest.raises(ValueError, match=r"files jkeras does not know: \['evil\.py'\]"):
        jkeras.models.load_model(tmp_path / "extra.keras")


def test_invalid_json_config(tmp_path, saved):
    members = _members(saved)
    members["config.json"] = b"{not json"
    _write_zip(tmp_path / "json.keras", members)
    with pytest.raises(ValueError, match=r"config\.json in .*json\.keras is not valid JSON"):
        jkeras.models.load_model(tmp_path / "json.keras")


def test_unknown_class_suggests_custom_objects(tmp_path, saved):
    def rename(config):
        config["config"]["layers"][1].update(module="my_project.layers", class_name="Fancy",
                                             registered_name="Fancy")
    _edit_config(saved, tmp_path / "fancy.keras", rename)
    with pytest.raises(ValueError, match=r"fancy\.keras.*'Fancy'.*custom_objects"):
        jkeras.models.load_model(tmp_path / "fancy.keras")


def test_custom_objects_resolve_unknown_classes(tmp_path, saved):
    class Fancy(layers.Dense):
        pass

    def rename(config):
        config["config"]["layers"][1].update(module="my_project.layers", class_name="Fancy",
                                             registered_name="Fancy")
    _edit_config(saved, tmp_path / "fancy.keras", rename)
    members = _members(tmp_path / "fancy.keras")
    # Keras names weight groups by class: the Dense's group is "layers/fancy" now.
    members["model.weights.h5"] = _rewrite_h5(
        members["model.weights.h5"], lambda f: f.move("layers/dense", "layers/fancy"))
    _write_zip(tmp_path / "fancy.keras", members)
    loaded = jkeras.models.load_model(tmp_path / "fancy.keras", custom_objects={"Fancy": Fancy})
    assert isinstance(loaded.layers[0], Fancy)
    np.testing.assert_array_equal(loaded.get_weights()[0],
                                  jkeras.models.load_model(saved).get_weights()[0])


def _rewrite_h5(data, edit):
    buffer = io.BytesIO()
    with h5py.File(io.BytesIO(data), "r") as src, h5py.File(buffer, "w") as dst:
        for key in src:
            src.copy(key, dst)
        edit(dst)
    return buffer.getvalue()


def test_lambda_is_refused_in_safe_mode(tmp_path):
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Lambda(lambda x: x * 2.0)])
    m.save(tmp_path / "lam.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        jkeras.models.load_model(tmp_path / "lam.keras")
    loaded = jkeras.models.load_model(tmp_path / "lam.keras", safe_mode=False)
    np.testing.assert_allclose(loaded(np.ones((1, 3), "float32")), 2.0)


def test_legacy_h5_without_a_model_config_is_refused_clearly(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = "{}"
    with pytest.raises(ValueError, match="not a Keras model config"):
        jkeras.models.load_model(path)
    with h5py.File(path, "w") as f:
        f.create_group("model_weights")
    with pytest.raises(ValueError, match="No model config found"):
        jkeras.models.load_model(path)


def test_paths_with_the_wrong_extension(tmp_path):
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="Invalid filepath extension for saving") as err:
        m.save(tmp_path / "model.bin")
    # the message names only what jkeras has (no `model.export`, no SavedModel)
    assert "export" not in str(err.value) and "zipped=False" in str(err.value)
    with pytest.raises(ValueError, match="File not found: filepath=.*missing.keras"):
        jkeras.models.load_model(tmp_path / "missing.keras")
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ValueError, match="File format not supported"):
        jkeras.models.load_model(tmp_path / "model.bin")
    with pytest.raises(ValueError, match="not supported"):
        m.save(tmp_path / "m.keras", bogus=1)


def test_weights_that_do_not_fit_the_config(tmp_path, saved):
    members = _members(saved)

    def wrong_kernel(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = np.zeros((5, 2), "float32")  # the kernel is (3, 2)
    members["model.weights.h5"] = _rewrite_h5(members["model.weights.h5"], wrong_kernel)
    _write_zip(tmp_path / "shape.keras", members)
    with pytest.raises(ValueError, match=r"shape\.keras do not fit"):
        jkeras.models.load_model(tmp_path / "shape.keras")


def test_unbuilt_model_cannot_be_saved(tmp_path):
    m = jkeras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="has not been built"):
        m.save(tmp_path / "u.keras")
    assert not (tmp_path / "u.keras").exists()


def test_unknown_metric_in_compile_config_suggests_compile_false(tmp_path):
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    m.compile("adam", "mse")
    m.save(tmp_path / "c.keras")

    def exotic_metric(config):
        config["compile_config"]["metrics"] = [
            {"module": "keras.metrics", "class_name": "NoSuchMetric", "config": {"name": "x"},
             "registered_name": None}]
    _edit_config(tmp_path / "c.keras", tmp_path / "auc.keras", exotic_metric)
    with pytest.raises(ValueError, match=r"auc\.keras.*'NoSuchMetric'.*compile=False"):
        jkeras.models.load_model(tmp_path / "auc.keras")
    loaded = jkeras.models.load_model(tmp_path / "auc.keras", compile=False)
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.get_weights()[0], m.get_weights()[0])

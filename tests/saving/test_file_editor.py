"""KerasFileEditor against tf.keras's: the same reports and return values on the same files, the
same edits giving the same files (which load in jkeras and in tf.keras), Keras's errors."""
import h5py
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving import KerasFileEditor


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def words(text):
    """Rich (tf.keras's printer) wraps long lines at the console width, inside a word when a
    path is long (pytest-xdist's temporary folders are): compare the text without whitespace."""
    return "".join(text.split())


def tf_editor_class():
    from keras.saving import KerasFileEditor as TFKerasFileEditor
    return TFKerasFileEditor


def h5_contents(path):
    """{dataset path: array} and the set of group paths of a weights file."""
    arrays, groups = {}, set()

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            arrays[name] = obj[()]
        else:
            groups.add(name)
    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return arrays, groups


def assert_same_file(path_a, path_b, groups=True):
    """The same datasets (and, with `groups`, the same groups: no empty ones for objects
    without weights, which the editor does not write, as Keras's)."""
    arrays_a, groups_a = h5_contents(path_a)
    arrays_b, groups_b = h5_contents(path_b)
    assert groups_a == groups_b or not groups
    assert sorted(arrays_a) == sorted(arrays_b)
    for key in arrays_a:
        np.testing.assert_array_equal(arrays_a[key], arrays_b[key])


def source_layers(keras):
    return [keras.Input((3,)), keras.layers.Dense(4, use_bias=False),
            keras.layers.Dense(4), keras.layers.Dropout(0.5), keras.layers.Dense(2)]


def target_layers(keras):
    return [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
            keras.layers.Dense(2, use_bias=False)]


def compiled_source(keras):
    model = keras.Sequential(source_layers(keras))
    model.compile(optimizer="adam", loss="mse")
    model.fit(data((8, 3)), data((8, 2), 1), epochs=1, batch_size=4, verbose=0)
    return model


@pytest.fixture(params=["jkeras", "tf.keras"])
def saved(request, tf, tmp_path):
    """A compiled and trained model saved as `.weights.h5` and `.keras` by jkeras or tf.keras."""
    keras = jkeras if request.param == "jkeras" else tf.keras
    model = compiled_source(keras)
    model.save_weights(tmp_path / "m.weights.h5")
    model.save(tmp_path / "m.keras")
    return {"model": model, "dir": tmp_path, "by": request.param}


@pytest.mark.parametrize("name", ["m.weights.h5", "m.keras"])
def test_reports_equal_tf_keras(saved, tf, name, capsys):
    path = str(saved["dir"] / name)
    refs = {"jkeras": jkeras.Sequential(target_layers(jkeras)),
            "tf": tf.keras.Sequential(target_layers(tf.keras))}
    same = {"jkeras": jkeras.Sequential(source_layers(jkeras)),
            "tf": tf.keras.Sequential(source_layers(tf.keras))}
    for model in same.values():  # compiled and trained: the optimizer's variables exist
        model.compile(optimizer="adam", loss="mse")
        model.fit(data((4, 3)), data((4, 2)), verbose=0)
    outputs, results = {}, {}
    for kind, cls in (("jkeras", KerasFileEditor), ("tf", tf_editor_class())):
        capsys.readouterr()
        editor = cls(path)
        editor.summary()
        results[kind] = (editor.compare(refs[kind]), editor.compare(same[kind]))
        outputs[kind] = capsys.readouterr().out
    assert words(outputs["jkeras"]) == words(outputs["tf"])
    assert results["jkeras"] == results["tf"]
    mismatch, match = results["jkeras"]
    assert mismatch["status"] == "error" and mismatch["error_count"] > 0
    assert match["status"] == "success" and match["error_count"] == 0
    assert "Weights structure" in outputs["jkeras"]
    if name.endswith(".keras"):
        assert "Saved with Keras 3.15.1 - date: " in outputs["jkeras"]


def test_weights_dict_and_metadata_equal_tf_keras(saved, tf, capsys):
    for name in ("m.weights.h5", "m.keras"):
        ours = KerasFileEditor(str(saved["dir"] / name))
        theirs = tf_editor_class()(str(saved["dir"] / name))
        assert ours.object_metadata == theirs.object_metadata
        assert list(ours.weights_dict) == list(theirs.weights_dict) == ["layers", "optimizer"]
        for group in ("layers", "optimizer"):
            assert list(ours.weights_dict[group]) == list(theirs.weights_dict[group])
        np.testing.assert_array_equal(ours.weights_dict["layers"]["dense_1"]["0"],
                                      saved["model"].layers[1].get_weights()[0])
        assert (ours.config, ours.metadata) == (theirs.config, theirs.metadata)
    assert ours.config["class_name"] == "Sequential"


def edit(editor, bias):
    editor.add_weights("layers/dense", {"1": bias})  # the first Dense gains a bias
    editor.delete_object("layers/dense_1")  # the middle Dense goes
    editor.rename_object("layers/dense_2", "dense_1")
    editor.delete_weight("layers/dense_1", "1")  # the last Dense loses its bias
    editor.add_object("layers/batch_normalization",
                      {"0": np.full(4, 2.0, "float32"), "1": np.full(4, 0.5, "float32"),
                       "2": np.full(4, 0.1, "float32"), "3": np.full(4, 3.0, "float32")})
    editor.delete_object("optimizer")


def test_edits_equal_tf_keras_and_load_in_both(saved, tf, capsys):
    bias = data((4,), 7)
    source = str(saved["dir"] / "m.weights.h5")
    ours, theirs = KerasFileEditor(source), tf_editor_class()(source)
    edit(ours, bias)
    edit(theirs, bias)
    ours.save(saved["dir"] / "ours.weights.h5")
    theirs.save(str(saved["dir"] / "theirs.weights.h5"))
    assert_same_file(saved["dir"] / "ours.weights.h5", saved["dir"] / "theirs.weights.h5")

    target_j = jkeras.Sequential(target_layers(jkeras))
    target_t = tf.keras.Sequential(target_layers(tf.keras))
    assert ours.compare(target_j)["status"] == "success"
    assert theirs.compare(target_t)["status"] == "success"
    target_j.load_weights(saved["dir"] / "ours.weights.h5")
    target_t.load_weights(saved["dir"] / "ours.weights.h5")
    kernel0, kernel2 = (saved["model"].layers[i].get_weights()[0] for i in (0, 3))
    for model in (target_j, target_t):
        weights = model.get_weights()
        np.testing.assert_array_equal(weights[0], kernel0)
        np.testing.assert_array_equal(weights[1], bias)
        np.testing.assert_array_equal(weights[2], np.full(4, 2.0))
        np.testing.assert_array_equal(weights[-1], kernel2)
    x = data((5, 3), 3)
    np.testing.assert_allclose(np.asarray(target_j.predict(x, verbose=0)),
                               target_t.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_resave_weights_of_a_keras_file(saved, tf, capsys):
    editor = KerasFileEditor(saved["dir"] / "m.keras")
    editor.resave_weights(saved["dir"] / "again.weights.h5")
    theirs = tf_editor_class()(str(saved["dir"] / "m.keras"))
    theirs.resave_weights(str(saved["dir"] / "theirs.weights.h5"))
    assert_same_file(saved["dir"] / "again.weights.h5", saved["dir"] / "theirs.weights.h5")
    model = compiled_source(jkeras)
    model.load_weights(saved["dir"] / "again.weights.h5")
    for ours, ref in zip(model.get_weights(), saved["model"].get_weights()):
        np.testing.assert_array_equal(ours, ref)


def test_nested_objects_are_kept(tf, tmp_path, capsys):
    """An LSTM's weights are in its `cell` group: kept (tf.keras's editor drops them)."""
    model = jkeras.Sequential([jkeras.Input((4, 3)), L.LSTM(2), L.Dense(2)])
    model.save_weights(tmp_path / "l.weights.h5")
    editor = KerasFileEditor(tmp_path / "l.weights.h5")
    assert list(editor.weights_dict["layers"]["lstm"]["cell"]) == ["0", "1", "2"]
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 8}
    editor.rename_object("layers/lstm", "lstm_old")
    editor.rename_object("lstm_old", "lstm")  # a bare name that occurs once
    editor.save(tmp_path / "out.weights.h5")
    assert_same_file(tmp_path / "l.weights.h5", tmp_path / "out.weights.h5", groups=False)
    ref = tf.keras.Sequential([tf.keras.Input((4, 3)), tf.keras.layers.LSTM(2),
                               tf.keras.layers.Dense(2)])
    ref.load_weights(tmp_path / "out.weights.h5")
    x = data((2, 4, 3))
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), ref.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_bare_names(tmp_path, capsys):
    model = jkeras.Sequential(source_layers(jkeras))
    model.save_weights(tmp_path / "m.weights.h5")
    editor = KerasFileEditor(tmp_path / "m.weights.h5")
    editor.rename_object("dense_2", "head")  # unique: found without its path
    assert list(editor.weights_dict["layers"]) == ["dense", "dense_1", "head"]
    editor.delete_weight("head", "1")
    assert list(editor.weights_dict["layers"]["head"]) == ["0"]
    editor.add_object("top", {"0": np.zeros(2)})
    editor.add_object("top", {"1": np.ones(2)})  # add_object replaces, as in Keras
    assert list(editor.weights_dict["top"]) == ["1"]
    with pytest.raises(ValueError, match="occurs more than once"):
        editor.delete_object("1")  # dense_1's bias and top's weight


ERROR_CASES = [
    ("rename to a path", lambda e: e.rename_object("layers/dense", "a/b")),
    ("unknown path", lambda e: e.rename_object("layers/nope", "x")),
    ("unknown parent", lambda e: e.delete_object("nope/dense")),
    ("ambiguous name", lambda e: e.delete_object("0")),
    ("unknown weight", lambda e: e.delete_weight("layers/dense", "7")),
    ("add under unknown path", lambda e: e.add_object("zz/q", {})),
    ("add_object weights not a dict", lambda e: e.add_object("layers/x", [1])),
    ("add_weights weights not a dict", lambda e: e.add_weights("layers/dense", [1])),
    ("save to .h5", lambda e: e.save("x.h5")),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_are_keras_errors(tf, tmp_path, case, capsys):
    model = jkeras.Sequential(source_layers(jkeras))
    model.save_weights(tmp_path / "m.weights.h5")
    messages = []
    for cls in (KerasFileEditor, tf_editor_class()):
        with pytest.raises(ValueError) as info:
            case[1](cls(str(tmp_path / "m.weights.h5")))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_errors_of_our_own(tf, tmp_path, capsys):
    model = jkeras.Sequential(source_layers(jkeras))
    model.save_weights(tmp_path / "m.weights.h5")
    for cls in (KerasFileEditor, tf_editor_class()):
        with pytest.raises(ValueError, match=r"Invalid filename: expected a `.keras` "
                                             r"`.weights.h5` extension. Received: filepath="):
            cls(str(tmp_path / "m.h5"))
    editor = KerasFileEditor(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match=r"Source name 'nope' does not appear in the model. "
                                         r"Use `editor.summary\(\)` to list all objects."):
        editor.delete_object("nope")
    with pytest.raises(ValueError, match="Expected object to be an instance of `KerasSaveable`"):
        editor.compare("not a model")
    unbuilt = jkeras.Sequential([L.Dense(2)])
    result = editor.compare(unbuilt)
    assert result["status"] == "error" and result["match_count"] == 0
    assert "present in saved file, missing from reference model" in capsys.readouterr().out


def test_bfloat16_weights_round_trip(tmp_path, capsys):
    model = jkeras.Sequential([jkeras.Input((3,)), L.Dense(2, dtype="bfloat16")])
    model.save_weights(tmp_path / "b.weights.h5")
    editor = KerasFileEditor(tmp_path / "b.weights.h5")
    assert str(editor.weights_dict["layers"]["dense"]["0"].dtype) == "bfloat16"
    editor.save(tmp_path / "c.weights.h5")
    other = jkeras.Sequential([jkeras.Input((3,)), L.Dense(2, dtype="bfloat16")])
    other.load_weights(tmp_path / "c.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(np.asarray(a, "float32"), np.asarray(b, "float32"))

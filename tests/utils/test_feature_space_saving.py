"""`FeatureSpace.save(path)`: Keras's `.keras` file of an adapted FeatureSpace (config, weights,
vocabulary assets), read back by `jkeras.saving.load_model` with the same outputs; files go both
ways with tf.keras."""
import zipfile

import numpy as np
import pytest

import jkeras
from jkeras.utils import FeatureSpace


def table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return {"age": rng.normal(40, 9, n).astype("float32"),
            "city": np.array(["oslo", "lima", "rome", "kyiv"])[rng.integers(0, 4, n)],
            "height": rng.uniform(150, 200, n).astype("float32"),
            "rooms": rng.integers(0, 5, n).astype("int32"),
            "score": rng.uniform(0, 1, n).astype("float32"),
            "zip": rng.integers(1000, 1100, n).astype("int32")}


def spec(space):
    return {"age": "float_normalized", "city": "string_categorical",
            "height": space.float_discretized(num_bins=3, name="height"),
            "rooms": "integer_categorical", "score": "float",
            "zip": space.integer_hashed(num_bins=6, name="zip")}


KWARGS = dict(crosses=[("city", "rooms")], crossing_dim=8)


def as_numpy(x):
    return {k: np.asarray(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x)


def assert_same(got, want):
    got, want = as_numpy(got), as_numpy(want)
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-6, err_msg=k)
    else:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("output_mode", ["concat", "dict"])
def test_save_and_load_model_give_the_same_outputs(tmp_path, output_mode):
    space = FeatureSpace(spec(FeatureSpace), output_mode=output_mode, **KWARGS)
    space.adapt(table())
    path = tmp_path / "space.keras"
    space.save(path)
    names = zipfile.ZipFile(path).namelist()
    assert {"config.json", "metadata.json", "model.weights.h5",
            "assets/preprocessors/string_lookup/vocabulary.txt",
            "assets/preprocessors/integer_lookup/vocabulary.txt"} <= set(names)
    back = jkeras.saving.load_model(path)
    assert isinstance(back, FeatureSpace) and back.output_mode == output_mode
    new = table(12, seed=1)
    new["city"][:2] = "unseen"  # out of vocabulary
    assert_same(back(new), space(new))
    assert back.preprocessors["city"].get_vocabulary() == \
        space.preprocessors["city"].get_vocabulary()
    assert back.get_config() == space.get_config()
    # The loaded space builds the same model inputs.
    enc = back.get_encoded_features()
    ref = space.get_encoded_features()
    if output_mode == "concat":
        assert enc.shape == ref.shape
    else:
        assert {k: v.shape for k, v in enc.items()} == {k: v.shape for k, v in ref.items()}


def test_saving_needs_an_adapted_space_and_a_keras_path(tmp_path):
    space = FeatureSpace({"age": "float_normalized"})
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)` on the FeatureSpace"):
        space.save(tmp_path / "space.keras")
    space.adapt({"age": np.arange(5, dtype="float32")})
    with pytest.raises(ValueError, match="Please add a `.keras` extension"):
        space.save(tmp_path / "space.zip")
    # A space with nothing to adapt saves as it is.
    hashed = FeatureSpace({"zip": FeatureSpace.integer_hashed(num_bins=4, name="zip")})
    hashed.save(tmp_path / "hashed.keras")
    x = {"zip": np.arange(10, dtype="int32")}
    assert_same(jkeras.saving.load_model(tmp_path / "hashed.keras")(x), hashed(x))


def test_files_go_both_ways_with_tf_keras(tf, tmp_path):
    import keras
    data = table()
    ours = FeatureSpace(spec(FeatureSpace), **KWARGS)
    ours.adapt(data)
    ref = keras.utils.FeatureSpace(spec(keras.utils.FeatureSpace), **KWARGS)
    ref.adapt(tf.data.Dataset.from_tensor_slices(data))
    new = table(12, seed=2)
    ours.save(tmp_path / "ours.keras")
    ref.save(tmp_path / "theirs.keras")
    assert_same(keras.models.load_model(tmp_path / "ours.keras")(new), ours(new))
    assert_same(jkeras.saving.load_model(tmp_path / "theirs.keras")(new), ref(new))
    assert_same(ours(new), ref(new))

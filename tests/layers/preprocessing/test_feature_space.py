"""FeatureSpace against keras.utils.FeatureSpace on a small table with string columns."""
import numpy as np
import pytest

import jkeras
from jkeras import utils
from jkeras.utils import FeatureSpace


def table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    cities = np.array(["paris", "oslo", "lima", "rome", "kyiv"])
    return {
        "age": rng.uniform(18, 80, n).astype("float32"),
        "income": rng.normal(50.0, 20.0, n).astype("float32"),
        "score": rng.uniform(0, 1, n).astype("float32"),
        "height": rng.normal(170, 10, n).astype("float32"),
        "rooms": rng.integers(1, 6, n).astype("int32"),
        "city": cities[rng.integers(0, 5, n)],
        "job": np.array([f"job{i}" for i in rng.integers(0, 9, n)]),
        "zip": rng.integers(1000, 1100, n).astype("int32"),
    }


def features(space):
    return {
        "age": "float_normalized",
        "income": space.float_rescaled(scale=0.01, offset=-0.5, name="income"),
        "score": "float",
        "height": space.float_discretized(num_bins=4, name="height"),
        "rooms": "integer_categorical",
        "city": "string_categorical",
        "job": space.string_hashed(num_bins=8, name="job"),
        "zip": "integer_hashed",
    }


def as_numpy(x):
    return {k: np.asarray(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x)


@pytest.mark.parametrize("output_mode", ["concat", "dict"])
def test_matches_keras_on_a_table(tf, output_mode):
    import keras
    data = table()
    kwargs = dict(output_mode=output_mode, crosses=[("city", "rooms")], crossing_dim=16,
                  hashing_dim=12, num_discretization_bins=4)
    ours = FeatureSpace(features(FeatureSpace), **kwargs)
    ref = keras.utils.FeatureSpace(features(keras.utils.FeatureSpace), **kwargs)
    ours.adapt(data)
    ref.adapt(tf.data.Dataset.from_tensor_slices(data))
    assert ours.preprocessors["city"].get_vocabulary() == ref.preprocessors["city"].get_vocabulary()
    assert ours.preprocessors["height"].bin_boundaries == pytest.approx(
        ref.preprocessors["height"].bin_boundaries, rel=1e-6)
    new = table(20, seed=1)
    new["city"][:3] = "unknown"  # out of vocabulary
    got, want = as_numpy(ours(new)), as_numpy(ref(new))
    if output_mode == "concat":
        assert got.dtype == np.float32 and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        assert sorted(got) == sorted(want)
        for k in want:
            assert got[k].shape == want[k].shape, k
            np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-6, err_msg=k)
    # One unbatched row: the batch axis comes off again, as in Keras.
    row = {k: v[0] for k, v in new.items()}
    got_row, want_row = as_numpy(ours(row)), as_numpy(ref(row))
    if output_mode == "concat":
        np.testing.assert_allclose(got_row, want_row, rtol=1e-6, atol=1e-6)
    else:
        for k in want_row:
            np.testing.assert_allclose(got_row[k], want_row[k], rtol=1e-6, atol=1e-6, err_msg=k)


def test_adapt_on_tf_data_and_int_outputs(tf):
    import keras
    data = {k: v for k, v in table(40).items() if k in ("city", "rooms", "height")}

    def spec(space):
        return {"city": space.string_categorical(output_mode="int", name="city"),
                "rooms": space.integer_categorical(max_tokens=4, output_mode="int", name="rooms"),
                "height": space.float_discretized(num_bins=3, output_mode="int", name="height")}
    cross = lambda space: [space.cross(("city", "rooms"), crossing_dim=8, output_mode="int")]  # noqa
    ours = FeatureSpace(spec(FeatureSpace), crosses=cross(FeatureSpace), output_mode="dict")
    ref = keras.utils.FeatureSpace(spec(keras.utils.FeatureSpace),
                                   crosses=cross(keras.utils.FeatureSpace), output_mode="dict")
    ds = tf.data.Dataset.from_tensor_slices(data).batch(7)
    ours.adapt(ds)
    ref.adapt(ds)
    got, want = as_numpy(ours(data)), as_numpy(ref(data))
    assert sorted(got) == sorted(want) == ["city", "city_X_rooms", "height", "rooms"]
    for k in want:
        np.testing.assert_array_equal(got[k], want[k], err_msg=k)


def test_structured_data_model_trains_from_feature_space(tmp_path):
    """The keras.io example's shape: a CSV table written here, a FeatureSpace adapted on it,
    a model built on `get_encoded_features()` and fit on the encoded table."""
    import csv
    data = table(200, seed=3)
    target = ((data["age"] > 45) ^ np.isin(data["city"], ["oslo", "rome"])).astype("float32")
    path = tmp_path / "table.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*data, "target"])
        writer.writerows(zip(*data.values(), target))
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    y = columns.pop("target").astype("float32")
    for k in ("age", "income", "score", "height"):
        columns[k] = columns[k].astype("float32")
    for k in ("rooms", "zip"):
        columns[k] = columns[k].astype("int32")
    space = FeatureSpace(features(FeatureSpace), crosses=[("city", "rooms")])
    space.adapt(columns)
    encoded = space.get_encoded_features()
    hidden = jkeras.layers.Dense(16, activation="relu")(encoded)
    output = jkeras.layers.Dense(1, activation="sigmoid")(hidden)
    model = jkeras.Model(encoded, output)
    model.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    x = space(columns)
    assert x.shape == (200, encoded.shape[-1])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9

    class Rows(utils.PyDataset):
        """The same table encoded batch by batch in the input pipeline."""

        def __len__(self):
            return 200 // 40

        def __getitem__(self, i):
            rows = slice(40 * i, 40 * (i + 1))
            return space({k: v[rows] for k, v in columns.items()}), y[rows]
    score = model.evaluate(Rows(workers=2), verbose=0, return_dict=True)
    assert score["accuracy"] == pytest.approx(
        model.evaluate(x, y, batch_size=40, verbose=0, return_dict=True)["accuracy"], abs=1e-6)


def test_dict_mode_model_on_encoded_inputs():
    data = {k: v for k, v in table(30).items() if k in ("city", "age", "rooms")}
    space = FeatureSpace({"city": "string_categorical", "age": "float_normalized",
                          "rooms": FeatureSpace.integer_categorical(output_mode="int")},
                         output_mode="dict")
    space.adapt(data)
    inputs = space.get_encoded_features()
    assert {k: v.shape for k, v in inputs.items()} == {
        "age": (None, 1), "city": (None, 6), "rooms": (None, 1)}
    encoded = space(data)
    merged = jkeras.layers.Concatenate()([inputs["age"], inputs["city"]])
    model = jkeras.Model(inputs, jkeras.layers.Dense(1)(merged))
    assert model.predict(encoded, verbose=0).shape == (30, 1)


def test_errors():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="Invalid feature type: floaty"):
        FeatureSpace({"a": "floaty"})
    with pytest.raises(ValueError, match="Expected one of {'dict', 'concat'}"):
        FeatureSpace({"a": "float"}, output_mode="stack")
    with pytest.raises(ValueError, match="Received unknown features"):
        FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="Expected one of {'int', 'one_hot', 'float'}"):
        FeatureSpace.feature("float32", None, "dense")
    space = FeatureSpace({"a": "float_normalized", "b": "string_categorical"})
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`"):
        space({"a": [1.0], "b": ["x"]})
    with pytest.raises(ValueError, match="can only be called on a tf.data.Dataset or a dict"):
        space.adapt([1, 2, 3])
    space.adapt({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Missing: \['b'\]"):
        space({"a": [1.0]})
    unencoded = FeatureSpace({"b": FeatureSpace.string_categorical(output_mode="int")})
    unencoded.adapt({"b": ["x", "y"]})
    with pytest.raises(ValueError, match="Cannot concatenate features because feature 'b'"):
        unencoded({"b": ["x"]})
    # A plain float space needs no adapt, as in Keras.
    plain = FeatureSpace({"a": "float", "c": "float_rescaled"})
    np.testing.assert_allclose(plain({"a": [1.0, 2.0], "c": [3.0, 4.0]}), [[1, 3], [2, 4]])
    assert utils.FeatureSpace is FeatureSpace

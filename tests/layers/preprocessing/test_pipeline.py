"""Pipeline: layer_test with tf.keras parity, Keras's training default (a standalone call
trains, a model's predict does not), host-layer pipelines, configs and `.keras` files both ways."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test


def test_layer_test_dense_stack(tf):
    result = layer_test(L.Pipeline, {"layers": [L.Dense(4), L.Dropout(0.5, seed=3), L.Dense(2)]},
                        input_shape=(3, 5), expected_output_shape=(3, 2),
                        expected_num_trainable_weights=4)
    assert result.tf_outputs is not None


def test_layer_test_image_pipeline(tf, images):
    layers = [L.AutoContrast(value_range=(0, 255)), L.CenterCrop(4, 4), L.Rescaling(1 / 255.0)]
    result = layer_test(L.Pipeline, {"layers": layers}, input_data=images((2, 6, 6, 3)),
                        expected_output_shape=(2, 4, 4, 3))
    assert result.tf_outputs is not None


def test_standalone_call_trains_and_model_predict_does_not(images):
    x = images((4, 5, 5, 3))
    pipe = L.Pipeline([L.RandomFlip("horizontal", seed=1), L.RandomBrightness(0.5, seed=2)])
    assert not np.allclose(np.asarray(pipe(x)), x)
    np.testing.assert_array_equal(np.asarray(pipe(x, training=False)), x)
    model = jkeras.Sequential([jkeras.Input((5, 5, 3)), pipe])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_host_layers_chain_on_host(tf):
    ours = L.Pipeline([L.StringLookup(vocabulary=["a", "b"]),
                       L.CategoryEncoding(num_tokens=3, output_mode="one_hot")])
    theirs = tf.keras.layers.Pipeline([tf.keras.layers.StringLookup(vocabulary=["a", "b"]),
                                       tf.keras.layers.CategoryEncoding(num_tokens=3,
                                                                        output_mode="one_hot")])
    data = np.array(["a", "c", "b", "b"])
    np.testing.assert_array_equal(np.asarray(ours(data)), theirs(data).numpy())


def test_config_matches_tf_keras_and_errors(tf):
    ours = L.Pipeline([L.Dense(3), L.RandomFlip(seed=2)], name="prep")
    theirs = tf.keras.layers.Pipeline([tf.keras.layers.Dense(3),
                                       tf.keras.layers.RandomFlip(seed=2)], name="prep")
    mine, other = ours.get_config(), theirs.get_config()
    assert sorted(mine) == sorted(other) == ["layers", "name"]
    assert [c["class_name"] for c in mine["layers"]] == [c["class_name"] for c in other["layers"]]
    back = L.Pipeline.from_config(other)
    assert [type(x).__name__ for x in back.layers] == ["Dense", "RandomFlip"]
    with pytest.raises(ValueError, match="`Pipeline` config must contain a `layers` key"):
        L.Pipeline.from_config({"name": "p"})
    with pytest.raises(ValueError, match="expects a list of layers"):
        L.Pipeline(L.Dense(2))


def test_keras_files_both_ways(tf, tmp_path):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    theirs = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Pipeline(
        [tf.keras.layers.Dense(5), tf.keras.layers.Dense(2)])])
    theirs.save(tmp_path / "tf.keras")
    ours = jkeras.models.load_model(tmp_path / "tf.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs(x).numpy(), rtol=1e-5,
                               atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    again = tf.keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(again(x).numpy(), theirs(x).numpy(), rtol=1e-5, atol=1e-6)

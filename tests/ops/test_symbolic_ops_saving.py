"""`jkeras.ops` on symbolic `Input`s records Keras 3's operation nodes, so such functional
models save to `.keras` as tf.keras writes them and load both ways."""
import numpy as np
import pytest

import jkeras


def ops_model(keras):
    ops = keras.ops
    inputs = keras.Input((3,), name="x")
    x = ops.relu(inputs)
    x = ops.add(x, 1.0)
    x = ops.clip(ops.multiply(2.0, x), 0.5, 3.0)
    seq = ops.reshape(x, (-1, 3, 1))
    soft = ops.nn.softmax(ops.sin(seq), axis=1)
    peak = ops.max(soft, axis=[1, 2])
    dense = keras.layers.Dense(2, name="dense")(x)
    joined = ops.concatenate([dense, ops.cast(x, "float32")], axis=-1)
    total = ops.sum(ops.square(joined), axis=1, keepdims=True)
    return keras.Model(inputs, [peak, total])


X = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)


def _same(a, b):
    for u, v in zip(a, b):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-6)


def test_config_nodes_as_keras(tf):
    ours, theirs = ops_model(jkeras), ops_model(tf.keras)

    def op_configs(model):
        return [{k: layer[k] for k in ("module", "class_name", "config", "registered_name")}
                | {"args": [type(a).__name__ if not isinstance(a, dict) else a["class_name"]
                            for a in layer["inbound_nodes"][0]["args"]]}
                for layer in model.get_config()["layers"]
                if str(layer["module"]).startswith("keras.src.ops")]

    def strip_names(configs):
        return [{**c, "config": {k: v for k, v in c["config"].items() if k != "name"}}
                for c in configs]
    assert strip_names(op_configs(ours)) == strip_names(op_configs(theirs))
    assert [layer.name for layer in ours.layers] == ["x", "dense"]


def test_jkeras_file_loads_in_both(tf, tmp_path):
    model = ops_model(jkeras)
    model.save(tmp_path / "ops.keras")
    _same(jkeras.models.load_model(tmp_path / "ops.keras")(X), model(X))
    _same(tf.keras.models.load_model(tmp_path / "ops.keras")(X), model(X))


def test_tf_keras_file_loads_and_saves_back(tf, tmp_path):
    theirs = ops_model(tf.keras)
    theirs.save(tmp_path / "theirs.keras")
    loaded = jkeras.models.load_model(tmp_path / "theirs.keras")
    expected = [t.numpy() for t in theirs(X)]
    _same(loaded(X), expected)
    loaded.save(tmp_path / "back.keras")
    _same(tf.keras.models.load_model(tmp_path / "back.keras")(X), expected)


def test_ops_without_a_config_form_still_say_so(tmp_path):
    inputs = jkeras.Input((3,))
    model = jkeras.Model(inputs, jkeras.ops.einsum("bi,bi->b", inputs, inputs))
    np.testing.assert_allclose(model(X), (X * X).sum(1), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="ops.einsum"):
        model.save(tmp_path / "einsum.keras")

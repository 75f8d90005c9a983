"""Mixed precision against tf.keras under the same global policy: per-layer variable and compute
dtypes, outputs on copied weights (bfloat16 / float16 tolerance), layer configs and `.keras` /
`.weights.h5` files both ways."""
import numpy as np
import pytest

import jkeras

POLICIES = ["mixed_bfloat16", "mixed_float16"]
# One rounding of a half-precision mantissa (bfloat16: 8 bits, float16: 11), with some headroom
# for the different summation order of the matmuls and convolutions.
TOLERANCE = {"mixed_bfloat16": 3e-2, "mixed_float16": 4e-3}


def make_model(K):
    """Dense, Conv2D, BatchNormalization, LayerNormalization and a float32 softmax output."""
    inputs = K.Input((8, 8, 3))
    x = K.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.Flatten()(x)
    x = K.layers.Dense(16, activation="relu")(x)
    x = K.layers.LayerNormalization()(x)
    x = K.layers.Dense(5)(x)
    outputs = K.layers.Activation("softmax", dtype="float32")(x)
    return K.Model(inputs, outputs)


def build_both(tf, policy, make=make_model):
    tf.keras.backend.clear_session()
    tf.keras.config.set_dtype_policy(policy)
    theirs = make(tf.keras)
    jkeras.utils.clear_session()
    jkeras.config.set_dtype_policy(policy)
    ours = make(jkeras)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def x_of(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def layer_dtypes(model):
    return [(layer.name, str(layer.dtype), layer.compute_dtype, layer.dtype_policy.name)
            for layer in model.layers]


def variable_dtypes(model):
    return [np.dtype(str(w.dtype).replace("<dtype: '", "").rstrip("'>")).name
            for w in model.weights]


@pytest.mark.parametrize("policy", POLICIES)
def test_model_matches_tf_keras_under_policy(tf, policy):
    ours, theirs = build_both(tf, policy)
    assert layer_dtypes(ours) == layer_dtypes(theirs)
    assert variable_dtypes(ours) == variable_dtypes(theirs) == ["float32"] * len(ours.weights)
    x = x_of((4, 8, 8, 3))
    for training in (False, True):
        ys = ours(x, training=training)
        ts = theirs(x, training=training)
        assert ys.dtype == np.float32 and ts.dtype == tf.float32
        np.testing.assert_allclose(np.asarray(ys), ts.numpy(), atol=TOLERANCE[policy])
    # BatchNormalization's moving statistics are float32 (updated in float32) on both sides.
    ours_stats = [w for w in ours.get_weights()]
    for got, want in zip(ours_stats, theirs.get_weights()):
        assert got.dtype == want.dtype == np.float32


@pytest.mark.parametrize("policy", POLICIES)
def test_intermediate_outputs_have_the_compute_dtype(tf, policy):
    ours, theirs = build_both(tf, policy)
    for ours_layer, theirs_layer in zip(ours.layers[1:], theirs.layers[1:]):
        assert ours_layer.output.dtype == theirs_layer.output.dtype.replace("<dtype: '", "")


@pytest.mark.parametrize("policy", POLICIES)
def test_layer_configs_match(tf, policy):
    ours, theirs = build_both(tf, policy)
    for ours_layer, theirs_layer in zip(ours.layers, theirs.layers):
        assert ours_layer.get_config()["dtype"] == theirs_layer.get_config()["dtype"]


def test_per_layer_policies_match(tf):
    def make(K):
        inputs = K.Input((6,))
        x = K.layers.Dense(8, dtype="mixed_bfloat16")(inputs)
        x = K.layers.Dense(8, dtype=K.DTypePolicy("mixed_float16"))(x)
        x = K.layers.Dense(8, dtype={"module": "keras", "class_name": "DTypePolicy",
                                     "config": {"name": "bfloat16"}, "registered_name": None})(x)
        outputs = K.layers.Dense(3, activation="softmax")(x)
        return K.Model(inputs, outputs)

    ours, theirs = build_both(tf, "float32", make)
    assert layer_dtypes(ours) == layer_dtypes(theirs)
    assert variable_dtypes(ours) == variable_dtypes(theirs)
    x = x_of((4, 6))
    np.testing.assert_allclose(np.asarray(ours(x)), theirs(x).numpy(), atol=3e-2)


@pytest.mark.parametrize("policy", POLICIES)
def test_keras_files_both_ways(tf, tmp_path, policy):
    ours, theirs = build_both(tf, policy)
    x = x_of((4, 8, 8, 3))
    theirs.save(tmp_path / "theirs.keras")
    ours.save(tmp_path / "ours.keras")
    jkeras.config.set_dtype_policy("float32")
    tf.keras.config.set_dtype_policy("float32")
    # The policy travels in the layer configs, not in the global setting (an InputLayer's
    # config has no policy: it takes the global one on both sides).
    loaded_ours = jkeras.models.load_model(tmp_path / "theirs.keras")
    loaded_theirs = tf.keras.models.load_model(tmp_path / "ours.keras")
    assert layer_dtypes(loaded_ours)[1:] == layer_dtypes(theirs)[1:]
    assert layer_dtypes(loaded_theirs)[1:] == layer_dtypes(ours)[1:]
    assert layer_dtypes(loaded_ours)[0] == layer_dtypes(loaded_theirs)[0]
    np.testing.assert_allclose(np.asarray(loaded_ours(x)), theirs(x).numpy(),
                               atol=TOLERANCE[policy])
    np.testing.assert_allclose(loaded_theirs(x).numpy(), np.asarray(ours(x)),
                               atol=TOLERANCE[policy])


@pytest.mark.parametrize("policy", POLICIES)
def test_weights_h5_both_ways(tf, tmp_path, policy):
    ours, theirs = build_both(tf, policy)
    theirs.set_weights([w + 0.5 for w in theirs.get_weights()])
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    ours.load_weights(tmp_path / "theirs.weights.h5")
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(got, want)
    ours.set_weights([w * 2 for w in ours.get_weights()])
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    for got, want in zip(theirs.get_weights(), ours.get_weights()):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def make_sequence_model(K):
    """Embedding, MultiHeadAttention (per-layer policy reaches its projections) and a GRU."""
    inputs = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 8)(inputs)
    x = K.layers.MultiHeadAttention(2, 4, dtype="mixed_float16")(x, x)
    x = K.layers.GRU(5)(x)
    outputs = K.layers.Dense(3, activation="softmax", dtype="float32")(x)
    return K.Model(inputs, outputs)


def test_sequence_model_matches_tf_keras_under_mixed_bfloat16(tf):
    ours, theirs = build_both(tf, "mixed_bfloat16", make_sequence_model)
    assert layer_dtypes(ours) == layer_dtypes(theirs)
    assert variable_dtypes(ours) == variable_dtypes(theirs)
    mha_ours, mha_theirs = ours.layers[2], theirs.layers[2]
    assert [d.compute_dtype for d in (mha_ours._query_dense, mha_ours._output_dense)] == \
        [d.compute_dtype for d in (mha_theirs._query_dense, mha_theirs._output_dense)]
    x = np.random.default_rng(1).integers(0, 20, size=(4, 6)).astype("int32")
    np.testing.assert_allclose(np.asarray(ours(x)), theirs(x).numpy(), atol=3e-2)
    for ours_layer, theirs_layer in zip(ours.layers[1:], theirs.layers[1:]):
        assert ours_layer.output.dtype == theirs_layer.output.dtype.replace("<dtype: '", "")

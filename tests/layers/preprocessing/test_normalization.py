"""Normalization: adapt (population statistics), state, output, given mean/variance, errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def data():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(50, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 0.0]).astype(np.float32)


def test_adapt_population_statistics_and_output():
    x = data()
    norm = L.Normalization(axis=-1)
    norm.adapt(x)
    mean, var, count = norm.get_weights()
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(0), rtol=1e-6)
    np.testing.assert_allclose(var, x.astype(np.float64).var(0), rtol=1e-6)  # ddof 0
    assert count.shape == () and [w.name for w in norm.weights] == ["mean", "variance", "count"]
    assert norm.trainable_weights == [] and len(norm.non_trainable_weights) == 3
    y = np.asarray(norm(x))
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(0), 1, rtol=1e-4)


def test_statistics_are_non_trainable_state_in_the_pure_core():
    norm = L.Normalization()
    norm.adapt(data())
    v = norm.get_variables()
    assert v["params"] == {} and set(v["state"]) == {"mean", "variance", "count"}
    y, state = jax.jit(norm.apply)(v, jnp.asarray(data()))
    assert y.shape == (50, 3) and set(state) == {"mean", "variance", "count"}


def test_adapt_on_batches_equals_adapt_on_the_array():
    x = data()
    whole, batched = L.Normalization(), L.Normalization()
    whole.adapt(x)
    batched.adapt(x[i:i + 16] for i in range(0, 50, 16))
    for a, b in zip(whole.get_weights()[:2], batched.get_weights()[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_zero_variance_uses_epsilon_floor():
    norm = L.Normalization()
    norm.adapt(np.ones((4, 2), np.float32))
    np.testing.assert_array_equal(norm(np.full((1, 2), 3.0, np.float32)), [[2e7, 2e7]])


def test_given_mean_and_variance_and_invert():
    norm = L.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    x = np.array([[3.0, 8.0]], np.float32)
    np.testing.assert_allclose(norm(x), [[1.0, 2.0]])
    assert norm.weights == [] or norm.get_weights() == []
    inv = L.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(inv(np.array([[1.0, 2.0]], np.float32)), x)


def test_multi_axis_and_errors():
    x = np.random.default_rng(1).normal(size=(8, 4, 3)).astype(np.float32)
    norm = L.Normalization(axis=(1, 2))
    norm.adapt(x)
    assert norm.get_weights()[0].shape == (4, 3)
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt(np.ones((8, 5, 3), np.float32))
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match=r"range \[-ndim, ndim\)"):
        L.Normalization(axis=3).adapt(np.ones((2, 2), np.float32))


def test_masking_passes_the_mask_through_as_keras(tf):
    tokens = np.array([[3, 1, 0, 0], [2, 4, 5, 0]], np.int32)
    table = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    mean, variance = [0.5, -1.0, 2.0], [4.0, 0.25, 1.0]

    def build(mod):
        inputs = mod.Input((4,), dtype="int32")
        x = mod.layers.Embedding(6, 3, mask_zero=True, name="emb")(inputs)
        x = mod.layers.Normalization(mean=mean, variance=variance, name="norm")(x)
        model = mod.Model(inputs, mod.layers.GlobalAveragePooling1D()(x))
        model.get_layer("emb").set_weights([table])
        return model

    ours, theirs = build(jkeras), build(tf.keras)
    assert ours.get_layer("norm").supports_masking and theirs.get_layer("norm").supports_masking
    np.testing.assert_allclose(ours.predict(tokens, verbose=0),
                               theirs.predict(tokens, verbose=0), rtol=1e-6, atol=1e-6)
    # the mask itself: passed through unchanged; the values under it are normalized too
    mask = tokens != 0
    x = table[tokens]
    ours_norm = L.Normalization(mean=mean, variance=variance)
    theirs_norm = tf.keras.layers.Normalization(mean=mean, variance=variance)
    np.testing.assert_array_equal(ours_norm.compute_mask(x, mask),
                                  np.asarray(theirs_norm.compute_mask(x, mask)))
    np.testing.assert_allclose(ours_norm(x), theirs_norm(x).numpy(), rtol=1e-6)

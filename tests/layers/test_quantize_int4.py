"""int4 post-training quantization (`quantize("int4")`) of Dense, EinsumDense and Embedding
against tf.keras:
packed kernels, scales, zero points and group indices equal Keras's for per-channel and
sub-channel (block) quantization, outputs agree, `Int4DTypePolicy` names, files load both
ways, configs rebuild the layer, and `fit` trains as Keras."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

from .quantize_helpers import assert_close, assert_fit_agrees, assert_same_weights

RNG = np.random.RandomState(0)
CONFIGS = {"default_block_128": lambda q: None,
           "block_2": lambda q: q.Int4QuantizationConfig(block_size=2),
           "per_channel": lambda q: q.Int4QuantizationConfig(block_size=-1)}


def _dense(keras):
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])


def _embedding(keras):
    return keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 5)])


def _einsum(keras):
    return keras.Sequential([keras.Input((3, 4)), keras.layers.EinsumDense(
        "abc,cde->abde", (3, 2, 5), bias_axes="de")])


def _einsum_heads(keras):  # the reduced kernel axes lead: Keras's 2D view is a plain reshape
    return keras.Sequential([keras.Input((3, 2, 5)), keras.layers.EinsumDense(
        "btnh,nhd->btd", (3, 4))])


def _einsum_trailing(keras):  # the reduced axis trails: Keras reshapes in memory order anyway
    return keras.Sequential([keras.Input((4,)), keras.layers.EinsumDense("ab,cb->ac", 3)])


SHAPES = {_dense: (5,), _einsum: (3, 4), _einsum_heads: (3, 2, 5), _einsum_trailing: (4,)}


def _inputs(build):
    if build is _embedding:
        return RNG.randint(0, 10, (6, 3))
    return RNG.randn(6, *SHAPES[build]).astype("float32")


def _quantized_twins(tf, build, config):
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    theirs.layers[-1].quantize("int4", config=config(tf.keras.quantizers))
    ours.layers[-1].quantize("int4", config=config(jkeras.quantizers))
    return ours, theirs


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("build", [_dense, _embedding, _einsum, _einsum_heads, _einsum_trailing],
                         ids=["dense", "embedding", "einsum", "einsum_heads", "einsum_trailing"])
def test_int4_weights_outputs_config_and_policy_equal_keras(tf, build, config):
    ours, theirs = _quantized_twins(tf, build, config)
    assert_same_weights(ours, theirs)
    x = _inputs(build)
    assert_close(ours(x), theirs(x), rtol=1e-5)  # float einsum: summation order
    layer, their_layer = ours.layers[-1], theirs.layers[-1]
    assert layer.get_config() == their_layer.get_config() | {"name": layer.name}
    assert type(layer.dtype_policy).__name__ == "Int4DTypePolicy"
    assert layer.dtype_policy.name == their_layer.dtype_policy.name
    assert jkeras.dtype_policies.serialize(layer.dtype_policy) == \
        tf.keras.dtype_policies.serialize(their_layer.dtype_policy)
    variables = ours.get_variables()
    jitted = jax.jit(lambda v, x: ours.apply(v, x)[0])(variables, x)
    assert_close(jitted, theirs(x), rtol=1e-5)
    if build is not _embedding:  # Keras's straight-through input gradient
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            loss = tf.reduce_sum(theirs(xt) ** 2)
        expected = tape.gradient(loss, xt).numpy()
        got = jax.grad(lambda x: (ours.apply(variables, x)[0] ** 2).sum())(x)
        assert_close(got, expected, rtol=1e-5)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_int4_files_load_both_ways(tf, tmp_path, config):
    def build(keras):
        return keras.Sequential([keras.Input((3,), dtype="int32"),
                                 keras.layers.Embedding(10, 5), keras.layers.Dense(3),
                                 keras.layers.EinsumDense("abc,cd->abd", (3, 2), bias_axes="d")])
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    for model, keras in ((ours, jkeras), (theirs, tf.keras)):
        for layer in model.layers:
            layer.quantize("int4", config=config(keras.quantizers))
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    by_keras = tf.keras.models.load_model(tmp_path / "ours.keras")
    by_us = jkeras.models.load_model(tmp_path / "theirs.keras")
    assert_same_weights(by_us, by_keras)
    x = RNG.randint(0, 10, (4, 3))
    assert_close(by_us(x), theirs(x))
    assert_close(by_keras(x), ours(x))
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    by_us.load_weights(tmp_path / "ours.weights.h5")
    assert_same_weights(by_us, theirs)


def test_int4_from_config_builds_keras_variables(tf):
    for make, shape in ((lambda L: L.Dense(3, dtype="int4/2_from_float32"), (None, 5)),
                        (lambda L: L.Dense(3, dtype="int4/-1_from_float32"), (None, 5)),
                        (lambda L: L.Embedding(10, 5, dtype="int4/2_from_float32"), (None, 3)),
                        (lambda L: L.EinsumDense("abc,cde->abde", (3, 2, 5), bias_axes="e",
                                                 dtype="int4/2_from_float32"), (None, 3, 4)),
                        (lambda L: L.EinsumDense("abc,cde->abde", (3, 2, 5),
                                                 dtype="int4/-1_from_float32"), (None, 3, 4))):
        theirs = make(tf.keras.layers)
        theirs.build(shape)
        ours = getattr(L, type(theirs).__name__).from_config(theirs.get_config())
        ours.build(shape)
        assert [(w.name, w.dtype.name, w.shape) for w in ours.weights] == \
            [(w.name, w.dtype, tuple(w.shape)) for w in theirs.weights]
        for a, b in zip(ours.weights, theirs.weights):  # g_idx starts as the groups
            np.testing.assert_array_equal(np.asarray(a.value), b.numpy())


def test_int4_fit_matches_keras(tf):
    def build(keras):
        return keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                                 keras.layers.Dense(2)])
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    for index, block_size in ((0, 2), (1, -1)):
        for model, keras in ((ours, jkeras), (theirs, tf.keras)):
            model.layers[index].quantize("int4", config=keras.quantizers.Int4QuantizationConfig(
                block_size=block_size))
    x, y = RNG.randn(32, 5).astype("float32"), RNG.randn(32, 2).astype("float32")
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="mse")
    assert_fit_agrees(ours, theirs, x, y, epochs=2)


def test_int4_errors(tf):
    with pytest.raises(ValueError, match="does not support custom quantizers"):
        jkeras.quantizers.Int4QuantizationConfig(
            weight_quantizer=jkeras.quantizers.AbsMaxQuantizer(value_range=(-8, 7)))
    with pytest.raises(ValueError, match="requires a weight_quantizer with value_range"):
        jkeras.quantizers.Int4QuantizationConfig(
            weight_quantizer=jkeras.quantizers.AbsMaxQuantizer(), block_size=-1)
    for mode in ("int4/0", "int4/x", "int5/3"):
        with pytest.raises(ValueError) as ours:
            jkeras.dtype_policies.Int4DTypePolicy(mode, "float32")
        with pytest.raises(ValueError) as theirs:
            tf.keras.dtype_policies.Int4DTypePolicy(mode, "float32")
        assert str(ours.value) == str(theirs.value)

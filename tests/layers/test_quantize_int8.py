"""int8 post-training quantization (`layer.quantize("int8")`, `model.quantize("int8")`) of Dense,
EinsumDense and Embedding against tf.keras: the quantized weights equal Keras's (names, dtypes,
shapes, order, values), the outputs and input gradients agree, `fit` trains the same, files
load both ways, configs rebuild the quantized layer, and Keras's errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.dtype_policies import QuantizedDTypePolicy

from .quantize_helpers import assert_close, assert_fit_agrees, assert_same_weights

RNG = np.random.RandomState(0)

# (jkeras factory, tf.keras factory by layer module, input)
EINSUM_CASES = [("ab,bc->ac", 5, "c", (4,)), ("abc,cde->abde", (3, 2, 5), "de", (3, 4)),
                ("btd,ndh->btnh", (3, 2, 5), None, (3, 4)),
                ("btnh,nhd->btd", (3, 4), None, (3, 2, 5)), ("abc,cd->abd", (3, 4), "d", (3, 2))]


def _model(keras, layer_fn, shape, dtype="float32"):
    return keras.Sequential([keras.Input(shape, dtype=dtype), layer_fn(keras.layers)])


def _twins(tf, layer_fn, shape, dtype="float32"):
    ours, theirs = _model(jkeras, layer_fn, shape, dtype), _model(tf.keras, layer_fn, shape, dtype)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _quantize_both(ours, theirs):
    with pytest.warns(UserWarning, match="InputLayer does not have a `quantize` method"):
        theirs.quantize("int8")
    with pytest.warns(UserWarning, match="InputLayer does not have a `quantize` method"):
        ours.quantize("int8")


def test_dense_int8_weights_outputs_and_policy_equal_keras(tf):
    ours, theirs = _twins(tf, lambda L: L.Dense(3, activation="relu"), (4,))
    _quantize_both(ours, theirs)
    assert_same_weights(ours, theirs)
    x = RNG.randn(6, 4).astype("float32")
    assert_close(ours(x), theirs(x))
    layer = ours.layers[-1]
    assert layer.dtype_policy == QuantizedDTypePolicy("int8", "float32")
    assert layer.quantization_mode == "int8" and layer.dtype_policy.name == "int8_from_float32"
    assert layer.get_config() == theirs.layers[-1].get_config() | {"name": layer.name}


def test_dense_int8_on_3d_inputs(tf):
    ours, theirs = _twins(tf, lambda L: L.Dense(3), (5, 4))
    _quantize_both(ours, theirs)
    x = RNG.randn(2, 5, 4).astype("float32")
    assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("equation,output_shape,bias_axes,shape", EINSUM_CASES)
def test_einsum_dense_int8_equals_keras(tf, equation, output_shape, bias_axes, shape):
    fn = lambda L: L.EinsumDense(equation, output_shape, bias_axes=bias_axes)  # noqa: E731
    ours, theirs = _twins(tf, fn, shape)
    _quantize_both(ours, theirs)
    assert_same_weights(ours, theirs)
    x = RNG.randn(6, *shape).astype("float32")
    assert_close(ours(x), theirs(x))
    assert ours.layers[-1].get_config() == theirs.layers[-1].get_config() | {
        "name": ours.layers[-1].name}


def test_einsum_dense_int8_with_an_ellipsis_matches_the_dequantized_math():
    # Keras 3.15 cannot quantize "..." equations (its analysis is given the rank, not the
    # shape); jkeras can: check against the int8 maths written out.
    layer = L.EinsumDense("...b,bc->...c", 5)
    x = RNG.randn(2, 3, 4).astype("float32")
    layer(x)
    layer.quantize("int8")
    kernel, scale = np.asarray(layer.kernel.value), np.asarray(layer.kernel_scale.value)
    assert kernel.dtype == np.int8 and scale.shape == (1, 1, 5)
    x_scale = 127 / (np.abs(x).max(-1, keepdims=True) + 1e-7)
    qx = np.clip(np.round(x * x_scale), -127, 127)
    expected = (qx @ kernel.astype(np.float32)) / (x_scale * scale)
    assert_close(layer(x), expected)


def test_embedding_int8_equals_keras(tf):
    ours, theirs = _twins(tf, lambda L: L.Embedding(10, 4), (3,), dtype="int32")
    _quantize_both(ours, theirs)
    assert_same_weights(ours, theirs)
    idx = RNG.randint(0, 10, (6, 3))
    assert_close(ours(idx), theirs(idx))
    assert ours.layers[-1].get_config() == theirs.layers[-1].get_config() | {
        "name": ours.layers[-1].name}


def test_weight_only_config_and_custom_weight_quantizer(tf):
    keras_q = tf.keras.quantizers
    ours, theirs = _twins(tf, lambda L: L.Dense(3), (4,))
    theirs.layers[-1].quantize(config=keras_q.Int8QuantizationConfig(
        weight_quantizer=keras_q.AbsMaxQuantizer(axis=0, value_range=(-100, 100)),
        activation_quantizer=None))
    ours.layers[-1].quantize(config=jkeras.quantizers.Int8QuantizationConfig(
        weight_quantizer=jkeras.quantizers.AbsMaxQuantizer(axis=0, value_range=(-100, 100)),
        activation_quantizer=None))
    assert_same_weights(ours, theirs)
    x = RNG.randn(6, 4).astype("float32")
    assert_close(ours(x), theirs(x))
    assert ours.layers[-1].get_config()["quantization_config"] == \
        theirs.layers[-1].get_config()["quantization_config"]


def test_quantized_layer_is_pure_jit_and_vmap():
    model = _model(jkeras, lambda L: L.Dense(3), (4,))
    model.layers[-1].quantize("int8")
    variables = model.get_variables()
    assert variables["params"]["dense"].keys() == {"bias"}
    assert variables["state"]["dense"]["kernel"].dtype == jnp.int8
    x = RNG.randn(5, 4).astype("float32")
    eager = np.asarray(model(x))
    assert_close(model.apply(variables, x)[0], eager)
    assert_close(jax.jit(lambda v, x: model.apply(v, x)[0])(variables, x), eager)
    rows = jax.vmap(lambda r: model.apply(variables, r[None])[0][0])(x)
    assert_close(rows, eager)
    fresh = model.init(jax.random.PRNGKey(1), x)  # init gives the quantized structure
    assert jax.tree_util.tree_map(jnp.shape, fresh) == jax.tree_util.tree_map(jnp.shape,
                                                                              variables)


def test_input_gradient_is_keras_straight_through(tf):
    ours, theirs = _twins(tf, lambda L: L.EinsumDense("abc,cde->abde", (3, 2, 5), bias_axes="de"),
                          (3, 4))
    _quantize_both(ours, theirs)
    x = RNG.randn(6, 3, 4).astype("float32")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(theirs(xt) ** 2)
    expected = tape.gradient(loss, xt).numpy()
    variables = ours.get_variables()
    got = jax.grad(lambda x: jnp.sum(ours.apply(variables, x)[0] ** 2))(x)
    assert_close(got, expected, rtol=1e-5)


def test_quantized_model_fit_matches_keras(tf):
    def build(keras):
        return keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(12, 4),
                                 keras.layers.Dense(6, activation="relu"),
                                 keras.layers.EinsumDense("abc,cd->abd", (3, 2), bias_axes="d")])
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    _quantize_both(ours, theirs)
    x = RNG.randint(0, 12, (32, 3)).astype("int32")
    y = RNG.randn(32, 3, 2).astype("float32")
    for m in (ours, theirs):
        m.compile(optimizer="adam", loss="mse")
    assert_fit_agrees(ours, theirs, x, y, epochs=2)
    assert len(ours.trainable_weights) == 2 == len(theirs.trainable_weights)  # the biases


def _quantized_pair(tf):
    def build(keras):
        return keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(12, 4),
                                 keras.layers.Dense(6), keras.layers.EinsumDense(
                                     "abc,cd->abd", (3, 2), bias_axes="d")])
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    _quantize_both(ours, theirs)
    return ours, theirs, RNG.randint(0, 12, (5, 3)).astype("int32")


def test_keras_files_load_both_ways(tf, tmp_path):
    ours, theirs, x = _quantized_pair(tf)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    loaded_by_keras = tf.keras.models.load_model(tmp_path / "ours.keras")
    loaded_by_us = jkeras.models.load_model(tmp_path / "theirs.keras")
    assert_same_weights(loaded_by_us, loaded_by_keras)
    assert loaded_by_us.layers[1].dtype_policy.name == "int8_from_float32"
    assert_close(loaded_by_us(x), theirs(x))
    assert_close(loaded_by_keras(x), ours(x))


def test_weights_files_load_both_ways(tf, tmp_path):
    ours, theirs, x = _quantized_pair(tf)
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    fresh_ours, fresh_theirs, _ = _quantized_pair(tf)  # other random weights, quantized
    fresh_theirs.load_weights(tmp_path / "ours.weights.h5")
    fresh_ours.load_weights(tmp_path / "theirs.weights.h5")
    assert_same_weights(fresh_ours, theirs)
    assert_same_weights(ours, fresh_theirs)


def test_from_config_with_quantized_policy_builds_quantized_weights(tf):
    for make in (lambda L: L.Dense(3, dtype="int8_from_float32"),
                 lambda L: L.EinsumDense("abc,cd->abd", (3, 2), bias_axes="d",
                                         dtype="int8_from_float32"),
                 lambda L: L.Embedding(10, 4, dtype="int8_from_float32")):
        theirs = make(tf.keras.layers)
        shape = (None, 3) if isinstance(theirs, tf.keras.layers.Embedding) else (None, 3, 4)
        theirs.build(shape)
        ours = getattr(L, type(theirs).__name__).from_config(theirs.get_config())
        ours.build(shape)
        assert [(w.name, w.dtype.name, w.shape) for w in ours.weights] == \
            [(w.name, w.dtype, tuple(w.shape)) for w in theirs.weights]
        with pytest.raises(ValueError, match="is already quantized"):
            ours.quantize("int8")


def test_errors_are_keras_errors(tf):
    def error(fn):
        with pytest.raises(Exception) as info:
            fn()
        return type(info.value), str(info.value)

    mine, theirs = L.Dense(3, name="d"), tf.keras.layers.Dense(3, name="d")
    assert error(lambda: mine.quantize("int8")) == error(lambda: theirs.quantize("int8"))
    mine.build((None, 4))
    theirs.build((None, 4))
    for mode in ("int9", None):
        assert error(lambda: mine.quantize(mode)) == error(lambda: theirs.quantize(mode))
    assert error(lambda: mine.quantize("int8", config=3)) == \
        error(lambda: theirs.quantize("int8", config=3))
    mine.quantize("int8")
    theirs.quantize("int8")
    assert error(lambda: mine.quantize("int8")) == error(lambda: theirs.quantize("int8"))
    half = L.Dense(2, dtype="float16")
    half.build((None, 4))
    assert "doesn't work well with compute_dtype='float16'" in error(
        lambda: half.quantize("int8"))[1]
    with pytest.raises(ValueError, match="does not support quantization mode 'float8' yet"):
        L.Dense(2).quantize("float8")
    with pytest.raises(ValueError, match="must be an instance of `QuantizationConfig`"):
        L.Dense(2, quantization_config={"mode": "int8"})


def test_subclasses_need_type_check_false(tf):
    class MyDense(L.Dense):
        pass

    layer = MyDense(3)
    layer.build((None, 4))
    with pytest.raises(NotImplementedError, match="MyDense does not have a `quantize` method"):
        layer.quantize("int8")
    layer.quantize("int8", type_check=False)
    assert layer.kernel.dtype == jnp.int8


def test_model_quantize_filters_and_arguments():
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3, name="keep"),
                               L.Dense(2, name="quant")])
    model.quantize("int8", filters="quan")  # the InputLayer is filtered out: no warning
    assert [layer.quantization_mode for layer in model.layers] == [None, "int8"]
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        model.quantize("int8", foo=1)
    with pytest.raises(ValueError, match="The `filters` argument must be"):
        model.quantize("int8", filters=3)


def test_quantized_policy_objects_equal_keras(tf):
    theirs = tf.keras.dtype_policies
    for name in ("int8_from_float32", "int8_from_mixed_bfloat16", "int8_from_bfloat16"):
        a, b = jkeras.dtype_policies.get(name), theirs.get(name)
        assert (type(a).__name__, a.name, a.compute_dtype, a.variable_dtype,
                a.quantization_mode) == (type(b).__name__, b.name, b.compute_dtype,
                                         b.variable_dtype, b.quantization_mode)
        assert jkeras.dtype_policies.serialize(a) == theirs.serialize(b)
        assert jkeras.dtype_policies.deserialize(theirs.serialize(b)) == a
    with pytest.raises(ValueError, match="doesn't work well with compute_dtype='float16'"):
        QuantizedDTypePolicy("int8", "float16")


def test_training_goes_on_after_quantizing_a_trained_model(tf):
    # Keras keeps the optimizer's iterations and the slots of the weights that stay (biases).
    def build(keras):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                 keras.layers.Dense(2)])
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    x, y = RNG.randn(32, 4).astype("float32"), RNG.randn(32, 2).astype("float32")
    for model in (ours, theirs):
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    _quantize_both(ours, theirs)
    assert_fit_agrees(ours, theirs, x, y, epochs=1)


def test_mixed_bfloat16_source_policy(tf):
    ours, theirs = _twins(tf, lambda L: L.Dense(3, dtype="mixed_bfloat16"), (4,))
    _quantize_both(ours, theirs)
    assert ours.layers[-1].dtype_policy.name == "int8_from_mixed_bfloat16"
    assert ours.layers[-1].compute_dtype == "bfloat16"
    assert_same_weights(ours, theirs)
    x = RNG.randn(6, 4).astype("float32")
    got = ours(x)
    assert got.dtype == jnp.bfloat16
    assert_close(np.asarray(got, np.float32), theirs(x).numpy().astype(np.float32), rtol=1e-2)

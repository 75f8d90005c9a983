"""A layer's dtype policy and autocasting, against Keras 3 (TensorFlow backend): which inputs and
variables are cast to the compute dtype, what stays float32, and that the float32 default
inserts no casts."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.core.layer_dtype import LayerDTypeMixin


def dtypes_of(layer):
    return (str(layer.dtype), layer.variable_dtype, layer.compute_dtype, layer.dtype_policy.name,
            layer.input_dtype)


def name_of(dtype):
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype)).name


@pytest.mark.parametrize("dtype", [None, "float16", "mixed_bfloat16", "mixed_float16",
                                   "bfloat16"])
def test_layer_dtype_properties_match_keras(tf, dtype):
    tf.keras.config.set_dtype_policy("mixed_bfloat16")
    jkeras.config.set_dtype_policy("mixed_bfloat16")
    ours, theirs = layers.Dense(2, dtype=dtype), tf.keras.layers.Dense(2, dtype=dtype)
    assert dtypes_of(ours) == dtypes_of(theirs)
    ours.build((None, 3))
    theirs.build((None, 3))
    assert [name_of(w.dtype) for w in ours.weights] == [name_of(w.dtype) for w in theirs.weights]
    x = np.ones((1, 3), "float32")
    assert name_of(ours(x).dtype) == name_of(theirs(x).dtype)


def test_policy_objects_and_configs_as_dtype(tf):
    for dtype in (jkeras.DTypePolicy("mixed_float16"),
                  {"module": "keras", "class_name": "DTypePolicy",
                   "config": {"name": "mixed_float16"}, "registered_name": None}):
        layer = layers.Dense(2, dtype=dtype)
        assert dtypes_of(layer) == dtypes_of(tf.keras.layers.Dense(2, dtype="mixed_float16"))


def test_unknown_policy_name_gets_keras_error(tf):
    with pytest.raises(ValueError) as ours:
        layers.Dense(2, dtype="mixed_float17")
    with pytest.raises(ValueError) as theirs:
        tf.keras.layers.Dense(2, dtype="mixed_float17")
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError) as ours:
        jkeras.mixed_precision.set_global_policy("float17")
    with pytest.raises(ValueError) as theirs:
        tf.keras.mixed_precision.set_global_policy("float17")
    assert str(ours.value) == str(theirs.value)


def test_dtype_policy_setter_as_keras(tf):
    ours, theirs = layers.Dense(2), tf.keras.layers.Dense(2)
    ours.dtype_policy = "mixed_bfloat16"
    theirs.dtype_policy = "mixed_bfloat16"
    assert dtypes_of(ours) == dtypes_of(theirs)


@pytest.mark.parametrize("input_dtype", ["bfloat16", "float16", "int32"])
def test_float32_layer_casts_float_inputs_only(tf, input_dtype):
    ours = layers.Activation("linear", dtype="float32")
    theirs = tf.keras.layers.Activation("linear", dtype="float32")
    x = np.arange(6).reshape(2, 3)
    got = ours(jnp.asarray(x, input_dtype))
    want = theirs(tf.cast(x, input_dtype))
    assert name_of(got.dtype) == name_of(want.dtype)


class Scale(jkeras.layers.Layer):
    """A custom layer: one autocast weight and one read in its own dtype."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.s = self.add_weight(shape=(), initializer="ones", name="s", autocast=False)

    def call(self, inputs):
        self.seen = (inputs.dtype, self.w.dtype, self.s.dtype)
        return inputs * self.w


def test_custom_layer_sees_inputs_and_variables_in_compute_dtype(tf):
    class TfScale(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
            self.s = self.add_weight(shape=(), initializer="ones", name="s", autocast=False)

        def call(self, inputs):
            self.seen = (inputs.dtype, tf.convert_to_tensor(self.w).dtype,
                         tf.convert_to_tensor(self.s).dtype)
            return inputs * self.w

    ours, theirs = Scale(dtype="mixed_bfloat16"), TfScale(dtype="mixed_bfloat16")
    x = np.ones((2, 3), "float32")
    assert name_of(ours(x).dtype) == name_of(theirs(x).dtype) == "bfloat16"
    assert [name_of(d) for d in ours.seen] == [name_of(d) for d in theirs.seen] == \
        ["bfloat16", "bfloat16", "float32"]
    assert [name_of(w.dtype) for w in ours.weights] == ["float32", "float32"]


def test_autocast_false_layer_keeps_inputs_and_variables(tf):
    ours = Scale(dtype="mixed_bfloat16", autocast=False)
    ours(np.ones((2, 3), "float32"))
    assert [name_of(d) for d in ours.seen] == ["float32", "float32", "float32"]
    assert name_of(tf.keras.layers.Dense(2, dtype="mixed_bfloat16", autocast=False)(
        np.ones((2, 3), "float32")).dtype) == "float32"


def test_sequential_casts_its_inputs_functional_does_not(tf):
    for K in (tf.keras, jkeras):
        K.config.set_dtype_policy("mixed_bfloat16")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32") * 3.0

    def make(K, kind):
        norm = K.layers.LayerNormalization(dtype="float32")
        if kind == "sequential":
            return K.Sequential([K.Input((3,)), norm])
        inputs = K.Input((3,))
        return K.Model(inputs, norm(inputs))

    for kind in ("sequential", "functional"):
        ours, theirs = make(jkeras, kind), make(tf.keras, kind)
        ours.set_weights(theirs.get_weights())
        np.testing.assert_allclose(np.asarray(ours(x)), theirs(x).numpy(), rtol=1e-6, atol=1e-6)


def test_float32_default_inserts_no_casts(monkeypatch):
    model = jkeras.Sequential([jkeras.Input((6, 6, 2)), layers.Conv2D(3, 3),
                               layers.BatchNormalization(), layers.Flatten(), layers.Dense(4),
                               layers.LayerNormalization(), layers.Activation("softmax")])
    variables = model.get_variables()
    x = np.ones((2, 6, 6, 2), "float32")

    def program(training):
        return str(jax.make_jaxpr(
            lambda v, x: model.apply(v, x, training=training)[0])(variables, x))

    with_hooks = [program(training) for training in (False, True)]
    monkeypatch.setattr(LayerDTypeMixin, "_autocast_inputs", lambda self, a, k: (a, k))
    monkeypatch.setattr(LayerDTypeMixin, "_autocast_variable", lambda self, var, value: value)
    assert with_hooks == [program(training) for training in (False, True)]
    assert all("float16" not in text for text in with_hooks)


def test_mixed_policy_gradients_and_state_stay_float32():
    jkeras.config.set_dtype_policy("mixed_bfloat16")
    model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3),
                               layers.BatchNormalization(), layers.Dense(2)])
    variables = model.get_variables()
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")

    def loss(params):
        out, state = model.apply({"params": params, "state": variables["state"]}, x,
                                 training=True)
        return jnp.sum(out.astype(jnp.float32) ** 2), state

    grads, state = jax.grad(loss, has_aux=True)(variables["params"])
    assert model(x).dtype == jnp.bfloat16
    assert {leaf.dtype for leaf in jax.tree_util.tree_leaves((grads, state))} == {
        jnp.dtype("float32")}


class Total(jkeras.layers.Layer):
    """Keeps a running sum in a non-trainable weight (computed in the compute dtype)."""

    def build(self, input_shape):
        self.total = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="total")

    def call(self, inputs, training=False):
        if training:
            self.assign_state("total", self.total + jnp.sum(inputs))
        return inputs


def test_state_written_in_compute_dtype_keeps_the_variable_dtype():
    layer = Total(dtype="mixed_bfloat16")
    variables = layer.init(jax.random.PRNGKey(0), (2, 3))
    _, state = layer.apply(variables, np.ones((2, 3), "float32"), training=True)
    assert state["total"].dtype == jnp.float32 and float(state["total"]) == 6.0
    layer(np.ones((2, 3), "float32"), training=True)
    assert layer.weights[0].value.dtype == jnp.float32

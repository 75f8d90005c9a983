"""`jkeras.Variable` (Keras 3's `keras.Variable`): on its own, and as a layer's weight when
assigned as an attribute (weights order, outputs, fit, files both ways against tf.keras)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras


def test_from_an_array_and_from_an_initializer(tf):
    for K in (jkeras, tf.keras):
        v = K.Variable(np.arange(6, dtype="float32").reshape(2, 3), name="v")
        assert v.shape == (2, 3) and v.dtype == "float32" and v.trainable and v.name == "v"
        assert v.path == "v" and v.aggregation == "none" and v.synchronization == "auto"
        w = K.Variable(initializer="ones", shape=(2,), trainable=False)
        np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])
        assert not w.trainable and w.dtype == "float32"
        assert K.Variable(3).dtype == "int32"
    assert jkeras.Variable(2.0).name.startswith("variable")


def test_value_assign_arithmetic_and_numpy():
    v = jkeras.Variable(np.array([1.0, 2.0], "float32"))
    v.assign([3.0, 4.0])
    v.assign_add(np.ones(2, "float32"))
    v.assign_sub(np.full(2, 0.5, "float32"))
    np.testing.assert_array_equal(np.asarray(v), [3.5, 4.5])
    np.testing.assert_array_equal(np.asarray(v.value), [3.5, 4.5])
    np.testing.assert_array_equal(np.asarray(v * 2 + 1), [8.0, 10.0])
    np.testing.assert_array_equal(np.asarray(10 - v), [6.5, 5.5])
    np.testing.assert_array_equal(np.asarray(v // 2), [1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(jnp.sin(v)), np.sin([3.5, 4.5]).astype("float32"))
    assert float(jkeras.Variable(2.5)) == 2.5 and int(jkeras.Variable(3)) == 3
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(v)
    with pytest.raises(ValueError, match="must match|shape"):
        v.assign(np.ones(3))


def test_jax_takes_it_as_its_value():
    v = jkeras.Variable(np.array([1.0, 2.0], "float32"))
    assert jax.tree_util.tree_leaves([v])[0] is v.value
    grad = jax.grad(lambda p: jnp.sum(p[0] ** 2))([v])
    np.testing.assert_allclose(np.asarray(grad[0]), [2.0, 4.0])
    np.testing.assert_allclose(np.asarray(jax.jit(lambda p: p * 3)(v)), [3.0, 6.0])


def test_errors_in_keras_wording(tf):
    for K in (jkeras, tf.keras):
        with pytest.raises(ValueError, match="the `shape` argument should be specified"):
            K.Variable(initializer="ones")
        with pytest.raises(ValueError, match="cannot contain character `/`"):
            K.Variable(1.0, name="a/b")
        with pytest.raises(ValueError, match="Invalid value for argument `aggregation`"):
            K.Variable(1.0, aggregation="max")
        with pytest.raises(ValueError, match="Invalid value for argument `synchronization`"):
            K.Variable(1.0, synchronization="sometimes")
        with pytest.raises(ValueError, match="fully-defined"):
            K.Variable(initializer="zeros", shape=(None, 2))


def test_every_variable_is_a_keras_variable():
    layer = jkeras.layers.Dense(2)
    layer.build((None, 3))
    assert isinstance(layer.kernel, jkeras.Variable)
    assert isinstance(jkeras.Variable(1.0), jkeras.Variable)
    assert not isinstance(np.ones(2), jkeras.Variable)


def test_paths_follow_name_scopes_as_keras(tf):
    def paths(K):
        Scale = scale_class(K)
        with K.name_scope("outer"):
            v = K.Variable(1.0, name="v")
            with K.name_scope("inner"):
                w = K.Variable(1.0, name="w")
            layer = Scale(2, name="scale")
            layer(np.ones((1, 3), "float32"))
        return [v.path, w.path] + [x.path for x in layer.weights]
    assert paths(jkeras) == paths(tf.keras) == [
        "outer/v", "outer/inner/w", "outer/offset", "outer/scale/kernel", "outer/scale/count"]


def scale_class(K):
    """The same custom layer on either library: Variables made in __init__ and in build."""
    class Scale(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.offset = K.Variable(np.full((units,), 0.5, "float32"), name="offset")

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel",
                                          initializer="ones")
            self.count = K.Variable(np.zeros((), "float32"), trainable=False, name="count")

        def call(self, x):
            self.count.assign(self.count + 1.0)
            return K.ops.tanh(K.ops.matmul(x, self.kernel) + self.offset)

        def get_config(self):
            return {**super().get_config(), "units": self.units}
    return Scale


def _model(K, Scale):
    return K.Sequential([K.Input((4,)), Scale(3, name="scale"), K.layers.Dense(1, name="out")])


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")


def test_unbuilt_layer_lists_the_variables_made_in_init(tf):
    ours, theirs = scale_class(jkeras)(3), scale_class(tf.keras)(3)
    assert not ours.built and not theirs.built
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights] == ["offset"]
    assert [w.name for w in ours.trainable_weights] == ["offset"]
    assert ours.non_trainable_weights == [] and theirs.non_trainable_weights == []


def test_layer_tracks_variables_as_keras(tf):
    ours, theirs = _model(jkeras, scale_class(jkeras)), _model(tf.keras, scale_class(tf.keras))
    scale, tf_scale = ours.get_layer("scale"), theirs.get_layer("scale")
    describe = lambda ws: [(w.name, tuple(w.shape)) for w in ws]  # noqa: E731
    assert describe(scale.weights) == describe(tf_scale.weights) == [
        ("offset", (3,)), ("kernel", (4, 3)), ("count", ())]
    assert describe(scale.trainable_weights) == describe(tf_scale.trainable_weights)
    assert describe(scale.non_trainable_weights) == describe(tf_scale.non_trainable_weights)
    assert describe(ours.weights) == describe(theirs.weights)
    np.testing.assert_array_equal(scale.offset.numpy(), [0.5, 0.5, 0.5])  # kept from __init__


def test_outputs_and_fit_equal_tf_keras(tf):
    ours, theirs = _model(jkeras, scale_class(jkeras)), _model(tf.keras, scale_class(tf.keras))
    ours.set_weights(theirs.get_weights())
    x, y = _data()
    np.testing.assert_allclose(np.asarray(ours(x)), theirs(x).numpy(), rtol=1e-6, atol=1e-6)
    assert float(ours.get_layer("scale").count.numpy()) == 1.0  # assigned in call, as Keras
    for model, K in ((ours, jkeras), (theirs, tf.keras)):
        model.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    h1 = ours.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert float(ours.get_layer("scale").count.numpy()) == 1.0 + 8  # one per training step


@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_files_both_ways(tf, tmp_path, suffix):
    Ours, Theirs = scale_class(jkeras), scale_class(tf.keras)
    ours, theirs = _model(jkeras, Ours), _model(tf.keras, Theirs)
    x, _ = _data()
    rng = np.random.default_rng(1)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights([rng.normal(size=w.shape).astype("float32") for w in ours.weights])
    if suffix == ".keras":
        theirs.save(tmp_path / "theirs.keras")
        ours.save(tmp_path / "ours.keras")
        from_theirs = jkeras.models.load_model(tmp_path / "theirs.keras",
                                               custom_objects={"Scale": Ours})
        from_ours = tf.keras.models.load_model(tmp_path / "ours.keras",
                                               custom_objects={"Scale": Theirs})
    else:
        theirs.save_weights(tmp_path / "theirs.weights.h5")
        ours.save_weights(tmp_path / "ours.weights.h5")
        from_theirs, from_ours = _model(jkeras, Ours), _model(tf.keras, Theirs)
        from_theirs.load_weights(tmp_path / "theirs.weights.h5")
        from_ours.load_weights(tmp_path / "ours.weights.h5")
    for a, b in zip(from_theirs.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(from_ours.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.asarray(from_theirs(x)), theirs(x).numpy(), rtol=1e-6,
                               atol=1e-6)


def test_pure_init_and_apply_see_the_variable():
    model = _model(jkeras, scale_class(jkeras))
    variables = model.init(jax.random.PRNGKey(0), np.zeros((1, 4), "float32"))
    np.testing.assert_array_equal(np.asarray(variables["params"]["scale"]["offset"]),
                                  [0.5, 0.5, 0.5])
    _, state = model.apply(variables, np.zeros((2, 4), "float32"))
    assert float(state["scale"]["count"]) == 1.0


def test_a_variable_of_one_layer_is_refused_by_another():
    Scale = scale_class(jkeras)
    a = Scale(2)
    b = Scale(2)
    with pytest.raises(ValueError, match="already a weight of layer"):
        b.shared = a.offset

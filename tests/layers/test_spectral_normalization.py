"""SpectralNormalization: layer_test with tf.keras parity (Dense, Conv2D, Embedding), the
training-mode power iteration against tf.keras from the same copied `vector_u`, the pure
`apply` (Keras-on-JAX semantics), `.keras` files both ways and Keras's errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4)).astype("float32")


@pytest.mark.parametrize("make, shape, out", [
    (lambda: L.Dense(3), (2, 4), (2, 3)),
    (lambda: L.Dense(3, use_bias=False), (2, 5, 4), (2, 5, 3)),
    (lambda: L.Conv2D(2, 2), (1, 5, 5, 3), (1, 4, 4, 2)),
])
def test_layer_test(tf, make, shape, out):
    result = layer_test(L.SpectralNormalization, {"layer": make(), "power_iterations": 2},
                        input_shape=shape, expected_output_shape=out,
                        expected_num_non_trainable_weights=1)
    assert result.tf_outputs is not None
    layer = result.layer
    assert [w.name for w in layer.weights][:2] == ["kernel", "vector_u"]


def test_wrapped_embedding(tf):
    layer_test(L.SpectralNormalization, {"layer": L.Embedding(6, 3)},
               input_data=np.array([[1, 2], [5, 0]], "int32"), expected_output_shape=(2, 2, 3),
               expected_num_trainable_weights=1, expected_num_non_trainable_weights=1)


def _pair(tf, power_iterations, make=lambda lib: lib.layers.Dense(3)):
    ours = L.SpectralNormalization(make(jkeras), power_iterations=power_iterations)
    theirs = tf.keras.layers.SpectralNormalization(make(tf.keras),
                                                   power_iterations=power_iterations)
    ours(X)
    theirs(X)
    theirs.set_weights(ours.get_weights())  # kernel, vector_u, bias: u copied
    return ours, theirs


@pytest.mark.parametrize("power_iterations", [1, 3])
def test_eager_training_call_matches_tf_keras(tf, power_iterations):
    ours, theirs = _pair(tf, power_iterations)
    for _ in range(2):  # the second call starts from the updated vector_u and kernel
        np.testing.assert_allclose(ours(X, training=True), theirs(X, training=True),
                                   rtol=1e-5, atol=1e-6)
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    sigma = np.linalg.svd(ours.get_weights()[0], compute_uv=False)[0]
    assert abs(sigma - 1.0) < 0.1  # the kernel now has spectral norm ~1


def test_pure_apply_in_training_is_keras_on_jax(tf):
    ours, theirs = _pair(tf, 2)
    variables = ours.get_variables()
    out, state = ours.apply(variables, X, training=True)
    want = theirs(X, training=True)  # writes kernel / sigma and the new u into tf's layer
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state["vector_u"], theirs.vector_u.numpy(), rtol=1e-5, atol=1e-6)
    held = ours.get_weights()  # apply changed nothing held
    np.testing.assert_array_equal(held[0], np.asarray(variables["params"]["dense"]["kernel"]))
    out_jit, _ = jax.jit(lambda v, x: ours.apply(v, x, training=True))(variables, X)
    np.testing.assert_allclose(out_jit, out, rtol=1e-5, atol=1e-6)

    def loss(params):
        return jnp.sum(ours.apply({"params": params, "state": variables["state"]}, X,
                                  training=True)[0] ** 2)
    grads = jax.grad(loss)(variables["params"])
    w = held[0]
    u = np.asarray(variables["state"]["vector_u"])

    def reference(kernel):  # the power iteration written out in TensorFlow
        uu = tf.constant(u)
        for _ in range(2):
            vv = tf.math.l2_normalize(tf.matmul(uu, kernel, transpose_b=True), axis=None,
                                      epsilon=1e-14)
            uu = tf.math.l2_normalize(tf.matmul(vv, kernel), axis=None, epsilon=1e-14)
        uu, vv = tf.stop_gradient(uu), tf.stop_gradient(vv)
        sigma = tf.matmul(tf.matmul(vv, kernel), uu, transpose_b=True)
        return tf.reduce_sum((tf.matmul(X, kernel / sigma) + held[2]) ** 2)
    kv = tf.Variable(w)
    with tf.GradientTape() as tape:
        value = reference(kv)
    np.testing.assert_allclose(loss(variables["params"]), value.numpy(), rtol=1e-5)
    np.testing.assert_allclose(grads["dense"]["kernel"], tape.gradient(value, kv).numpy(),
                               rtol=1e-4, atol=1e-6)


def test_zero_kernel_is_left_alone():
    layer = L.SpectralNormalization(L.Dense(2, kernel_initializer="zeros"))
    layer(X)
    u = layer.get_weights()[1]
    layer(X, training=True)
    np.testing.assert_array_equal(layer.get_weights()[0], 0.0)
    np.testing.assert_array_equal(layer.get_weights()[1], u)


def test_fit_updates_vector_u_and_loss_falls():
    model = jkeras.Sequential([jkeras.Input((4,)), L.SpectralNormalization(L.Dense(8)),
                               L.Activation("relu"), L.Dense(1)])
    x = RNG.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0], "float32"))[:, None]
    u0 = model.layers[0].get_weights()[1]
    model.compile(jkeras.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    assert not np.allclose(model.layers[0].get_weights()[1], u0)


def _model(lib):
    inp = lib.Input((6, 6, 2))
    x = lib.layers.SpectralNormalization(lib.layers.Conv2D(3, 3), power_iterations=2)(inp)
    x = lib.layers.Flatten()(x)
    return lib.Model(inp, lib.layers.SpectralNormalization(lib.layers.Dense(2))(x))


@pytest.mark.parametrize("direction", ["jkeras_to_tf", "tf_to_jkeras"])
def test_keras_file_both_ways(tf, tmp_path, direction):
    saver, loader = (jkeras, tf.keras) if direction == "jkeras_to_tf" else (tf.keras, jkeras)
    model = _model(saver)
    x = RNG.normal(size=(2, 6, 6, 2)).astype("float32")
    model(x, training=True)  # kernel and vector_u away from their initial values
    model.save(tmp_path / "m.keras")
    loaded = loader.models.load_model(tmp_path / "m.keras")
    assert len(loaded.weights) == len(model.weights) == 6
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-5,
                               atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="`power_iterations` should be greater than zero"):
        L.SpectralNormalization(L.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="supplied to Wrapper isn't a supported layer type"):
        L.SpectralNormalization("dense")
    layer = L.SpectralNormalization(L.Dropout(0.5))
    with pytest.raises(ValueError, match="Dropout object has no attribute 'kernel' nor "
                                         "'embeddings'"):
        layer(X)
    layer = L.SpectralNormalization(L.Dense(2))
    layer(X)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.ones((2, 5), "float32"))


# ---- Keras's spectral_normalization_test.py, replayed ------------------------------------------
def test_keras_cases(tf):
    layer_test(L.SpectralNormalization, {"layer": L.Dense(2)},
               input_data=RNG.uniform(size=(10, 3, 4, 5)).astype("float32"),
               expected_output_shape=(10, 3, 4, 2), expected_num_trainable_weights=2,
               expected_num_non_trainable_weights=1, expected_num_seed_generators=0,
               supports_masking=False)
    layer_test(L.SpectralNormalization, {"layer": L.Embedding(10, 4)},
               input_data=RNG.integers(10, size=(10,)).astype("float32"),
               expected_output_shape=(10, 4), expected_num_trainable_weights=1,
               expected_num_non_trainable_weights=1, supports_masking=False,
               run_training_check=False)


def test_keras_apply_layer_values():
    layer = L.SpectralNormalization(
        L.Conv2D(1, (2, 2), kernel_initializer=jkeras.initializers.Constant(value=1)),
        power_iterations=8)
    images = np.ones((1, 2, 2, 1), "float32")
    np.testing.assert_allclose(layer(images, training=False), [[[[4.0]]]], rtol=1e-6)
    # the largest singular value of the 4x1 kernel of ones is 2
    np.testing.assert_allclose(layer(images, training=True), [[[[2.0]]]], rtol=1e-5)
    with pytest.raises(ValueError, match="ReLU object has no attribute 'kernel' nor"):
        L.SpectralNormalization(L.ReLU())(np.ones((4, 2), "float32"))


def test_keras_end_to_end_sequential_fit():
    model = jkeras.Sequential([L.SpectralNormalization(
        L.Conv2D(3, (2, 2), padding="same", data_format="channels_last"), power_iterations=2)])
    model.compile("rmsprop", loss="mse")
    x = RNG.random((4, 8, 8, 3)).astype("float32")
    history = model.fit(x, RNG.random((4, 8, 8, 3)).astype("float32"), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))

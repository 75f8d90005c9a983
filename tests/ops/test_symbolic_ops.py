"""Ops on symbolic `jkeras.Input` tensors record functional nodes, as `keras.ops` does."""
import jax
import numpy as np

import jkeras
from jkeras import ops


def _build(lib, inp):
    x = lib.layers.Dense(6)(inp)
    y = lib.ops.relu(x) * lib.ops.sigmoid(x)
    z = lib.ops.concatenate([y, lib.ops.square(inp)], axis=-1)
    z = lib.ops.nn.layer_normalization(z, epsilon=1e-3)
    z = lib.ops.reshape(z, (-1, 2, 5))
    z = lib.ops.mean(z, axis=1)
    return lib.Model(inp, lib.ops.softmax(z))


def test_functional_model_through_ops_matches_tf_keras(tf):
    model = _build(jkeras, jkeras.Input((4,)))
    reference = _build(tf.keras, tf.keras.Input((4,)))
    reference.set_weights(model.get_weights())
    data = np.random.default_rng(0).random((7, 4)).astype("float32")
    np.testing.assert_allclose(model.predict(data, verbose=0), reference.predict(data, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert model.output_shape == reference.output_shape == (None, 5)
    # Keras's `layers` leaves out operations (jkeras records `x * y` as a Lambda layer)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Lambda"]
    assert [type(layer).__name__ for layer in reference.layers] == ["InputLayer", "Dense"]


def test_symbolic_results_have_keras_shapes_and_train():
    inp = jkeras.Input((3, 4))
    out = ops.sum(ops.transpose(inp, (0, 2, 1)), axis=-1)
    assert jkeras.backend.is_keras_tensor(out)
    assert out.shape == (None, 4) and ops.shape(out) == (None, 4)
    x = jkeras.layers.Dense(2)(out)
    model = jkeras.Model(inp, ops.tanh(x))
    data = np.random.default_rng(1).random((16, 3, 4)).astype("float32")
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(data, np.zeros((16, 2), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    jitted = jax.jit(lambda v: model(v))(data)
    np.testing.assert_allclose(jitted, model.predict(data, verbose=0), rtol=1e-5, atol=1e-6)


def test_constant_arguments_are_kept_and_saved(tmp_path):
    inp = jkeras.Input((4,))
    out = ops.clip(ops.add(inp, 1.0), 0.0, 1.5)
    model = jkeras.Model(inp, out)
    x = np.array([[-2.0, 0.0, 0.2, 3.0]], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), [[0.0, 1.0, 1.2, 1.5]], rtol=1e-6)
    model.save(str(tmp_path / "m.keras"))  # more in test_symbolic_ops_saving.py
    np.testing.assert_allclose(jkeras.models.load_model(str(tmp_path / "m.keras"))(x),
                               [[0.0, 1.0, 1.2, 1.5]], rtol=1e-6)

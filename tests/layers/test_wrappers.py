"""Wrapper and TimeDistributed: layer_test with tf.keras parity, masks and errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


def test_time_distributed_dense(tf):
    result = layer_test(L.TimeDistributed, {"layer": L.Dense(3)}, input_shape=(2, 4, 5),
                        expected_output_shape=(2, 4, 3), expected_num_trainable_weights=2,
                        supports_masking=True)
    kernel, bias = result.layer.get_weights()
    np.testing.assert_allclose(result.outputs, np.asarray(result.inputs[0]) @ kernel + bias,
                               rtol=1e-5, atol=1e-6)


def test_time_distributed_conv2d(tf):
    layer_test(L.TimeDistributed, {"layer": L.Conv2D(2, 3)}, input_shape=(2, 3, 5, 5, 1),
               expected_output_shape=(2, 3, 3, 3, 2))


def test_time_distributed_batch_norm_inference(tf):
    layer_test(L.TimeDistributed, {"layer": L.BatchNormalization()}, input_shape=(2, 3, 4),
               expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
               expected_num_non_trainable_weights=2)


def _td_batch_norm_models(keras_module):
    k = keras_module
    return k.Sequential([k.Input((3, 4)), k.layers.TimeDistributed(k.layers.Dense(5)),
                         k.layers.TimeDistributed(k.layers.BatchNormalization(momentum=0.5)),
                         k.layers.Flatten(), k.layers.Dense(1)])


def test_time_distributed_batch_norm_training_updates_per_timestep(tf):
    # Keras calls the inner layer once per timestep: BatchNormalization normalises each step
    # with that step's batch statistics and updates its moving statistics step after step.
    import jkeras
    x = (np.random.default_rng(0).normal(size=(6, 3, 4)) * 2 + 1).astype("float32")
    y = np.random.default_rng(1).normal(size=(6, 1)).astype("float32")
    ours, theirs = _td_batch_norm_models(jkeras), _td_batch_norm_models(tf.keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True),
                               rtol=1e-5, atol=1e-5)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="mse")
    h_ours = ours.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_time_distributed_passes_a_mask_to_layers_that_take_one(tf):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    mask = np.random.default_rng(1).random((2, 3, 4)) > 0.3  # one mask row per timestep
    ours = L.TimeDistributed(L.Softmax())
    theirs = tf.keras.layers.TimeDistributed(tf.keras.layers.Softmax())
    np.testing.assert_allclose(ours(x, mask=mask), theirs(x, mask=mask), rtol=1e-6, atol=1e-7)


def test_time_distributed_needs_three_dimensions():
    with pytest.raises(ValueError, match=r"`TimeDistributed` Layer should be passed an "
                                         r"`input_shape` with at least 3 dimensions, "
                                         r"received: \(2, 3\)"):
        L.TimeDistributed(L.Dense(2))(np.zeros((2, 3), "float32"))


def test_wrapper_refuses_a_non_layer():
    with pytest.raises(ValueError, match="supplied to Wrapper isn't a supported layer type"):
        L.Wrapper("dense")
    with pytest.raises(ValueError, match="Please initialize `TimeDistributed` layer with a "
                                         "`keras.layers.Layer` instance. Received: dense"):
        L.TimeDistributed("dense")  # Keras's own wording for TimeDistributed


def test_wrapper_subclass_holds_the_layer_and_its_config(tf):
    class Twice(L.Wrapper):
        def call(self, x):
            return 2.0 * self.layer(x)
    layer = Twice(L.Dense(2, name="inner"))
    y = layer(np.ones((1, 3), "float32"))
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, 2.0 * (np.ones((1, 3)) @ kernel + bias), rtol=1e-6)
    assert layer.get_config()["layer"]["config"]["name"] == "inner"
    assert Twice.from_config(layer.get_config()).layer.units == 2

"""CategoryEncoding (on the device, jittable) against tf.keras."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


@pytest.mark.parametrize("mode", ["multi_hot", "one_hot", "count"])
@pytest.mark.parametrize("data", [np.array([1, 2, 3]), np.array([[1, 2, 2], [0, 0, 3]]),
                                  np.array([[1], [3]]), np.array(2)])
def test_category_encoding_matches_tf(tf, same_config, mode, data):
    ours, theirs = L.CategoryEncoding(5, mode), tf.keras.layers.CategoryEncoding(5, mode)
    np.testing.assert_array_equal(ours(data), theirs(data).numpy())
    same_config(ours, theirs)


def test_count_weights_jit_and_models(tf):
    data = np.array([[1, 2, 2], [0, 0, 3]])
    weights = np.array([[0.5, 1.0, 2.0], [1.0, 3.0, 0.25]], np.float32)
    layer = L.CategoryEncoding(4, "count")
    expected = tf.keras.layers.CategoryEncoding(4, "count")(data, count_weights=weights).numpy()
    np.testing.assert_allclose(layer(data, count_weights=weights), expected, rtol=1e-6)
    run = jax.jit(lambda x: layer.apply({}, x)[0])
    np.testing.assert_array_equal(run(data), layer(data))
    model = jkeras.Sequential([jkeras.Input((3,), dtype="int32"), L.CategoryEncoding(4),
                               L.Dense(2)])
    assert model.predict(data, verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="count_weights"):
        L.CategoryEncoding(4)(data, count_weights=weights)


@pytest.mark.parametrize("make,match", [
    (lambda: L.CategoryEncoding(), "num_tokens must be set"),
    (lambda: L.CategoryEncoding(0), ">= 1"),
    (lambda: L.CategoryEncoding(3, output_mode="tf_idf"), "Unknown arg for output_mode"),
    (lambda: L.CategoryEncoding(3, sparse=True), "TensorFlow backend"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()

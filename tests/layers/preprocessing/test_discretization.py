"""Discretization against tf.keras: given boundaries, adapted quantiles, output modes, config."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

X = np.array([[-1.5, 0.0, 0.2], [1.0, 3.7, 2.0]], np.float32)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_bin_boundaries_match_tf(tf, same_config, mode):
    kwargs = dict(bin_boundaries=[0.0, 1.0, 2.5], output_mode=mode)
    ours, theirs = L.Discretization(**kwargs), tf.keras.layers.Discretization(**kwargs)
    data = X if mode != "one_hot" else X[0]
    out, expected = ours(data), theirs(data).numpy()
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    same_config(ours, theirs)
    np.testing.assert_array_equal(jax.jit(lambda x: ours.apply({}, x)[0])(data), out)


@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (3, 0.1), (7, 0.01)])
def test_adapt_matches_tf(tf, same_config, num_bins, epsilon):
    data = np.random.default_rng(0).normal(size=(500, 3)).astype(np.float32)
    ours = L.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs = tf.keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours.adapt(data)
    theirs.adapt(data)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    np.testing.assert_array_equal(ours(data), theirs(data).numpy())
    same_config(ours, theirs)
    loaded = L.Discretization.from_config(theirs.get_config())
    assert loaded.bin_boundaries == ours.bin_boundaries and loaded.num_bins == num_bins
    batched = L.Discretization(num_bins=num_bins, epsilon=epsilon)
    batched.adapt(iter([data[:200], data[200:]]))
    tf_batched = tf.keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    tf_batched.adapt(iter([data[:200], data[200:]]))
    np.testing.assert_allclose(batched.bin_boundaries, tf_batched.bin_boundaries, rtol=1e-6)


def test_in_a_model():
    model = jkeras.Sequential([jkeras.Input((3,)), L.Discretization([0.0, 1.0], output_mode="count"),
                               L.Dense(2)])
    assert model.predict(X, verbose=0).shape == (2, 2)


@pytest.mark.parametrize("make,match", [
    (lambda: L.Discretization(), "either `num_bins` or `bin_boundaries`"),
    (lambda: L.Discretization([0.0], num_bins=3), "should not be set"),
    (lambda: L.Discretization(num_bins=-1), "greater than or equal to 0"),
    (lambda: L.Discretization([0.0], output_mode="tf_idf"), "output_mode"),
    (lambda: L.Discretization([0.0]).adapt(X), "Cannot adapt"),
    (lambda: L.Discretization(num_bins=3)(X), "call `adapt"),
])
def test_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()

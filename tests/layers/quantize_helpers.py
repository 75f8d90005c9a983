"""Checks shared by the quantization tests: the same weights as tf.keras (names, dtypes,
shapes, trainability, values), outputs within tolerance, and `fit` agreeing with tf.keras."""
import numpy as np


def assert_same_weights(ours, theirs):
    assert [w.path.split("/")[-1] for w in ours.weights] == \
        [w.path.split("/")[-1] for w in theirs.weights]
    for a, b in zip(ours.weights, theirs.weights):
        assert (a.dtype.name, a.shape, a.trainable) == (b.dtype, tuple(b.shape), b.trainable)
        np.testing.assert_array_equal(np.asarray(a.value), b.numpy())


def assert_close(a, b, rtol=1e-6):
    b = np.asarray(b)
    np.testing.assert_allclose(np.asarray(a), b, rtol=rtol, atol=rtol * np.max(np.abs(b)))


def assert_fit_agrees(ours, theirs, x, y, epochs):
    """Both (compiled) models fit the same batches: losses and weights within 1e-4."""
    h_ours = ours.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False)
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)

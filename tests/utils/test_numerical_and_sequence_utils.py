"""to_categorical, normalize, pad_sequences against keras.utils on the same inputs."""
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import utils


@pytest.mark.parametrize("labels,num_classes", [
    ([0, 1, 2, 3], None), ([2, 0, 1], 5), (np.array([[1], [0], [2]]), None),
    (np.array([[0, 1], [2, 1]]), 3), (np.array([[[1]], [[0]]]), 2)])
def test_to_categorical_matches_keras(tf, labels, num_classes):
    ref = tf.keras.utils.to_categorical(labels, num_classes)
    got = utils.to_categorical(labels, num_classes)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)


def test_to_categorical_jax_input_and_bad_labels(tf):
    got = utils.to_categorical(jnp.array([[2], [0]]), 3)
    np.testing.assert_array_equal(got, tf.keras.utils.to_categorical(np.array([[2], [0]]), 3))
    assert got.dtype == jnp.float32
    with pytest.raises(ValueError, match=r"label 3 at \(flattened\) index 2.*num_classes=3"):
        utils.to_categorical([0, 1, 3], num_classes=3)
    with pytest.raises(IndexError):  # numpy's IndexError in Keras: still catchable as such
        utils.to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match="label -1"):
        utils.to_categorical([0, -1], num_classes=3)


@pytest.mark.parametrize("axis,order", [(-1, 2), (0, 2), (1, 1), (-1, 3)])
def test_normalize_matches_keras(tf, axis, order):
    x = np.random.default_rng(0).standard_normal((4, 5)).astype("float32")
    x[1] = 0
    ref = tf.keras.utils.normalize(tf.constant(x), axis, order).numpy()
    if axis != 0:  # Keras's NumPy path turns axis=0 into -1 (`axis or -1`) and fails
        np.testing.assert_allclose(utils.normalize(x, axis, order),
                                   tf.keras.utils.normalize(x, axis, order), rtol=1e-6)
    np.testing.assert_allclose(utils.normalize(x, axis, order), ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(utils.normalize(jnp.asarray(x), axis, order)), ref,
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="`order` must be an int >= 1"):
        utils.normalize(jnp.asarray(x), order=0)


SEQS = [[1], [2, 3], [4, 5, 6, 7], []]


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 2}, {"maxlen": 3, "padding": "post"}, {"maxlen": 2, "truncating": "post"},
    {"value": -1, "padding": "post"}, {"dtype": "float32", "value": 0.5, "maxlen": 5},
    {"maxlen": 0}])
def test_pad_sequences_matches_keras(tf, kwargs):
    ref = tf.keras.utils.pad_sequences(SEQS, **kwargs) if kwargs.get("maxlen") != 0 else None
    got = utils.pad_sequences(SEQS, **kwargs)
    if ref is not None:
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
    else:
        assert got.shape == (4, 0)


def test_pad_sequences_strings_and_sample_shapes(tf):
    words = [["a", "bb"], ["ccc"], ["d", "e", "f"]]
    for kw in ({"dtype": object, "value": "<pad>"}, {"dtype": "<U5", "value": "_",
                                                     "padding": "post"}):
        np.testing.assert_array_equal(utils.pad_sequences(words, **kw),
                                      tf.keras.utils.pad_sequences(words, **kw))
    seqs = [np.ones((2, 3)), np.zeros((4, 3))]
    np.testing.assert_array_equal(utils.pad_sequences(seqs, maxlen=3, dtype="float32"),
                                  tf.keras.utils.pad_sequences(seqs, maxlen=3, dtype="float32"))
    with pytest.raises(ValueError, match="not compatible with `value`'s type"):
        utils.pad_sequences(words, value="x")
    with pytest.raises(ValueError, match=r"Shape of sample \(2,\) of sequence at position 1"):
        utils.pad_sequences([np.ones((2, 3)), np.ones((2, 2))])
    with pytest.raises(ValueError, match='Padding type "mid" not understood'):
        utils.pad_sequences(SEQS, padding="mid")
    with pytest.raises(ValueError, match="must be a list of iterables"):
        utils.pad_sequences([[1], 2])

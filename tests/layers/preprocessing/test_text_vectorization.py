"""TextVectorization (host, NumPy) against tf.keras: the same vocabulary after adapt and the same
outputs for every standardize / split / ngrams / output mode combination tested."""
import numpy as np
import pytest

from jkeras import layers as L

CORPUS = np.array(["The cat sat on the mat.", "The DOG ate my homework!",
                   "cats and dogs, dogs and cats", "Ünïcode Straße test-case"])
QUERY = np.array(["the cat ate the dog", "unknown words here, and there", ""])


@pytest.mark.parametrize("kwargs", [
    {}, {"max_tokens": 8, "output_sequence_length": 4}, {"output_sequence_length": 9},
    {"output_mode": "multi_hot"}, {"output_mode": "count", "ngrams": 2},
    {"output_mode": "tf_idf"}, {"split": "character", "output_sequence_length": 10},
    {"standardize": "lower", "ngrams": (2, 3)}, {"standardize": "strip_punctuation"},
    {"max_tokens": 6, "pad_to_max_tokens": True, "output_mode": "count"}])
def test_adapt_and_call_match_tf(tf, same_config, kwargs):
    ours, theirs = L.TextVectorization(**kwargs), tf.keras.layers.TextVectorization(**kwargs)
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    out, expected = ours(QUERY), theirs(QUERY).numpy()
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    same_config(ours, theirs)


def test_no_split_batches_and_given_vocabulary(tf, same_config):
    kwargs = dict(standardize=None, split=None)
    ours, theirs = L.TextVectorization(**kwargs), tf.keras.layers.TextVectorization(**kwargs)
    ours.adapt(iter([CORPUS[:2], CORPUS[2:]]))
    theirs.adapt(iter([CORPUS[:2], CORPUS[2:]]))
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    column = CORPUS[:3, None]
    np.testing.assert_array_equal(ours(column), theirs(column).numpy())
    kwargs = dict(vocabulary=["cat", "the", "dog"], output_sequence_length=6)
    ours, theirs = L.TextVectorization(**kwargs), tf.keras.layers.TextVectorization(**kwargs)
    np.testing.assert_array_equal(ours(QUERY), theirs(QUERY).numpy())
    same_config(ours, theirs)
    loaded = L.TextVectorization.from_config(theirs.get_config())
    np.testing.assert_array_equal(loaded(QUERY), theirs(QUERY).numpy())


def test_tf_idf_given_weights_and_callable_standardize(tf):
    kwargs = dict(vocabulary=["cat", "the", "dog"], idf_weights=[0.5, 1.5, 2.0],
                  output_mode="tf_idf")
    np.testing.assert_allclose(L.TextVectorization(**kwargs)(QUERY),
                               tf.keras.layers.TextVectorization(**kwargs)(QUERY).numpy(),
                               rtol=1e-6)
    upper = L.TextVectorization(standardize=np.char.upper, vocabulary=["CAT", "DOG"])
    np.testing.assert_array_equal(upper(np.array(["cat dog bird"])), [[2, 3, 1]])
    by_comma = L.TextVectorization(split=lambda s: s.split(","), standardize=None,
                                   vocabulary=["a", "b c"])
    np.testing.assert_array_equal(by_comma(np.array(["a,b c,d"])), [[2, 3, 1]])


@pytest.mark.parametrize("make,match", [
    (lambda: L.TextVectorization(standardize="upper"), "standardize"),
    (lambda: L.TextVectorization(split="comma"), "split"),
    (lambda: L.TextVectorization(output_mode="embedding"), "output_mode"),
    (lambda: L.TextVectorization(ngrams=1.5), "`ngrams` must be None"),
    (lambda: L.TextVectorization(output_sequence_length=2.5), "either None or an integer"),
    (lambda: L.TextVectorization(output_mode="count", output_sequence_length=3), "must not be set"),
    (lambda: L.TextVectorization(ragged=True), "TensorFlow backend"),
    (lambda: L.TextVectorization(output_mode="one_hot"), "split=None"),
    (lambda: L.TextVectorization(vocabulary=["a"]).adapt(CORPUS), "Cannot adapt"),
    (lambda: L.TextVectorization()(np.array([["a", "b"]])), "last shape dimension must be 1"),
])
def test_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_multi_hot_needs_a_vocabulary():
    with pytest.raises(RuntimeError, match="vocabulary before calling"):
        L.TextVectorization(output_mode="multi_hot")(QUERY)

"""Hashing and HashedCrossing give tf.keras's exact bins without TensorFlow (FarmHash
Fingerprint64, SipHash, FingerprintCat64 in fingerprint.py)."""
import random

import numpy as np
import pytest

from jkeras import layers as L
from jkeras.layers.preprocessing.fingerprint import fingerprint64, siphash

STRINGS = np.array([["a", "b", "ccc"], ["dd", "", "héllo wörld"]])
INTS = np.array([[1, 2, 3], [0, -5, 2 ** 40]])
FLOATS = np.array([[1.5, -2.7, 3.0]])


def test_fingerprints_match_tf_for_every_length(tf):
    r = random.Random(0)
    strings = [bytes(r.randrange(256) for _ in range(n)) for n in list(range(0, 140)) + [255, 640]]
    big = (1 << 63) - 1
    fast = tf.strings.to_hash_bucket_fast(strings, big).numpy()
    assert [fingerprint64(s) % big for s in strings] == fast.tolist()
    strong = tf.strings.to_hash_bucket_strong(strings, big, key=[123, 2 ** 62 + 9]).numpy()
    assert [siphash((123, 2 ** 62 + 9), s) % big for s in strings] == strong.tolist()


@pytest.mark.parametrize("kwargs", [
    dict(num_bins=7), dict(num_bins=5, salt=[3, 4]), dict(num_bins=3, salt=9),
    dict(num_bins=5, output_mode="multi_hot"), dict(num_bins=5, output_mode="count"),
    dict(num_bins=6, dtype="int32")])
@pytest.mark.parametrize("data", [STRINGS, INTS, FLOATS])
def test_hashing_matches_tf(tf, same_config, kwargs, data):
    ours, theirs = L.Hashing(**kwargs), tf.keras.layers.Hashing(**kwargs)
    out, expected = ours(data), theirs(data).numpy()
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    same_config(ours, theirs)


def test_hashing_mask_value_and_one_hot(tf):
    kwargs = dict(num_bins=7, mask_value="")
    np.testing.assert_array_equal(L.Hashing(**kwargs)(STRINGS),
                                  tf.keras.layers.Hashing(**kwargs)(STRINGS).numpy())
    column = np.array([["a"], ["b"], ["c"]])
    np.testing.assert_array_equal(L.Hashing(4, output_mode="one_hot")(column),
                                  tf.keras.layers.Hashing(4, output_mode="one_hot")(column).numpy())
    loaded = L.Hashing.from_config(tf.keras.layers.Hashing(**kwargs).get_config())
    assert (loaded.num_bins, loaded.mask_value) == (7, "")


@pytest.mark.parametrize("inputs", [
    [np.array([1, -2, 3]), np.array(["a", "b", "c"])],
    [np.array([[1], [2]]), np.array([[5], [6]]), np.array([["x"], ["y"]])],
    [np.array(3), np.array("z")]])
@pytest.mark.parametrize("output_mode", ["int", "one_hot"])
def test_hashed_crossing_matches_tf(tf, same_config, inputs, output_mode):
    ours = L.HashedCrossing(11, output_mode=output_mode)
    theirs = tf.keras.layers.HashedCrossing(11, output_mode=output_mode)
    out, expected = ours(inputs), theirs(inputs).numpy()
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    same_config(ours, theirs)


@pytest.mark.parametrize("make,match", [
    (lambda: L.Hashing(0), "non-positive"),
    (lambda: L.Hashing(3, output_mode="int", dtype="float32"), "integer type"),
    (lambda: L.Hashing(3, output_mode="tf_idf"), "output_mode"),
    (lambda: L.Hashing(3, salt="x"), "salt"),
    (lambda: L.Hashing(3, output_mode="count", sparse=True), "TensorFlow backend"),
    (lambda: L.HashedCrossing(3, output_mode="count"), "output_mode"),
    (lambda: L.HashedCrossing(3)(np.array([1, 2])), "list or tuple"),
    (lambda: L.HashedCrossing(3)([np.array([1, 2])]), "at least two"),
    (lambda: L.HashedCrossing(3)([np.array([[1, 2]]), np.array([[1, 2]])]), "should have shape"),
    (lambda: L.HashedCrossing(3)([np.array([1, 2]), np.array([1])]), "equal shape"),
    (lambda: L.HashedCrossing(3)([np.array([1.0]), np.array([1])]), "integer or string"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()

"""StringLookup / IntegerLookup (host, NumPy) against tf.keras: adapt order, index layout, OOV
buckets, output modes, invert, vocabulary files, configs and errors."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

DOCS = np.array([["a", "b", "c", "a"], ["b", "b", "d", "e"], ["e", "a", "b", "f"]])
QUERY = np.array([["a", "zz", "", "e"], ["q", "b", "c", "yy"]])


@pytest.mark.parametrize("kwargs", [
    {}, {"mask_token": "", "num_oov_indices": 2}, {"num_oov_indices": 3, "salt": 7},
    {"num_oov_indices": 0, "max_tokens": 4}, {"output_mode": "multi_hot"},
    {"output_mode": "count", "max_tokens": 5, "pad_to_max_tokens": True},
    {"output_mode": "tf_idf"}, {"output_mode": "tf_idf", "max_tokens": 9, "pad_to_max_tokens": True},
    {"output_mode": "one_hot", "oov_token": "<?>"}])
def test_string_lookup_adapt_matches_tf(tf, kwargs):
    ours, theirs = L.StringLookup(**kwargs), tf.keras.layers.StringLookup(**kwargs)
    ours.adapt(DOCS)
    theirs.adapt(DOCS)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    query = QUERY if kwargs.get("output_mode") != "one_hot" else np.array(["a", "zz", "c"])
    if kwargs.get("num_oov_indices") == 0:
        query = np.array([["a", "b"], ["e", "b"]])
    out = ours(query)
    np.testing.assert_allclose(out, theirs(query).numpy(), rtol=1e-6)
    assert out.dtype == (np.int64 if kwargs.get("output_mode", "int") == "int" else np.float32)


def test_string_lookup_given_vocabulary_invert_and_config(tf, same_config):
    kwargs = dict(vocabulary=["x", "y", "z"], mask_token="[MASK]", num_oov_indices=2)
    ours, theirs = L.StringLookup(**kwargs), tf.keras.layers.StringLookup(**kwargs)
    query = np.array([["x", "[MASK]", "w"], ["z", "y", "v"]])
    np.testing.assert_array_equal(ours(query), theirs(query).numpy())
    assert ours.get_vocabulary(include_special_tokens=False) == ["x", "y", "z"]
    same_config(ours, theirs)
    inverse = L.StringLookup(invert=True, **kwargs)
    expected = tf.keras.layers.StringLookup(invert=True, **kwargs)(ours(query)).numpy()
    assert inverse(ours(query)).tolist() == [[v.decode() for v in row] for row in expected]
    loaded = L.StringLookup.from_config(theirs.get_config())
    np.testing.assert_array_equal(loaded(query), theirs(query).numpy())
    bytes_query = np.array([b"x", b"w"])
    np.testing.assert_array_equal(ours(bytes_query), theirs(bytes_query).numpy())


def test_tf_idf_with_given_weights(tf):
    kwargs = dict(vocabulary=["p", "q", "r"], idf_weights=[0.5, 1.0, 2.0], output_mode="tf_idf")
    query = np.array([["p", "q", "q", "s"], ["r", "r", "p", "s"]])
    np.testing.assert_allclose(L.StringLookup(**kwargs)(query),
                               tf.keras.layers.StringLookup(**kwargs)(query).numpy(), rtol=1e-6)


def test_vocabulary_file(tf, tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("alpha\nbeta\ngamma\n")
    ours = L.StringLookup(vocabulary=str(path))
    theirs = tf.keras.layers.StringLookup(vocabulary=str(path))
    query = np.array(["beta", "delta", "gamma"])
    np.testing.assert_array_equal(ours(query), theirs(query).numpy())
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    with pytest.raises(ValueError, match="does not exist"):
        L.StringLookup(vocabulary=str(tmp_path / "missing.txt"))


@pytest.mark.parametrize("kwargs", [
    {}, {"mask_token": 0, "num_oov_indices": 3}, {"num_oov_indices": 2, "oov_method": "farmhash"},
    {"num_oov_indices": 2, "oov_method": "farmhash", "salt": 11}, {"output_mode": "count"},
    {"max_tokens": 3}])
def test_integer_lookup_matches_tf(tf, same_config, kwargs):
    data = np.array([[12, 7, 7, 3], [3, 7, 42, 12], [5, 5, 5, 0]])
    query = np.array([[7, 99, 0, 3], [-4, 12, 5, 1000]])
    ours, theirs = L.IntegerLookup(**kwargs), tf.keras.layers.IntegerLookup(**kwargs)
    ours.adapt(data)
    theirs.adapt(data)
    assert ours.get_vocabulary() == [int(v) for v in theirs.get_vocabulary()]
    np.testing.assert_allclose(ours(query), theirs(query).numpy())
    same_config(ours, theirs)


def test_integer_lookup_invert_and_adapt_from_batches(tf):
    ours = L.IntegerLookup(max_tokens=4)
    ours.adapt(iter([np.array([4, 4, 9]), np.array([9, 9, 2, 8])]))
    assert ours.get_vocabulary() == [-1, 9, 4, 8]
    inverse = L.IntegerLookup(vocabulary=[9, 4, 8], invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 2], [3, 0]])), [[9, 4], [8, -1]])


def test_host_layers_refuse_symbolic_and_traced_inputs():
    lookup = L.IntegerLookup(vocabulary=[1, 2])
    with pytest.raises(TypeError, match="works on the host"):
        lookup(jkeras.Input((3,), dtype="int32"))
    with pytest.raises(TypeError, match="before the model"):
        jax.jit(lookup)(np.array([1, 2]))


@pytest.mark.parametrize("make,match", [
    (lambda: L.StringLookup(max_tokens=1), "greater than 1"),
    (lambda: L.StringLookup(pad_to_max_tokens=True), "must set `max_tokens`"),
    (lambda: L.StringLookup(output_mode="embedding"), "output_mode"),
    (lambda: L.StringLookup(invert=True, output_mode="count"), "must be `'int'`"),
    (lambda: L.StringLookup(sparse=True, output_mode="count"), "TensorFlow backend"),
    (lambda: L.StringLookup(vocabulary=["a", "a"]), "repeated term"),
    (lambda: L.StringLookup(vocabulary=["a", ""], mask_token=""), "reserved mask token"),
    (lambda: L.StringLookup(vocabulary=["a"], output_mode="tf_idf"), "idf_weights"),
    (lambda: L.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3), "larger than the maximum"),
    (lambda: L.IntegerLookup(num_oov_indices=-1), ">= 0"),
    (lambda: L.IntegerLookup(salt=3), "oov_method='farmhash'"),
    (lambda: L.IntegerLookup(vocabulary_dtype="int32"), "int64"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_call_errors():
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        L.StringLookup(output_mode="multi_hot")(np.array(["a"]))
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
    fixed = L.StringLookup(vocabulary=["a"])
    with pytest.raises(ValueError, match="Cannot adapt"):
        fixed.adapt(np.array(["a", "b"]))

"""IMDB and Reuters on small synthetic npz files (ragged word-id sequences pickled as object
arrays, as the real files) and word-index json files, against Keras 3's loaders."""
import json
import os
import pickle

import numpy as np
import pytest

from jkeras import datasets

OPTIONS = [
    {},
    {"num_words": 12, "skip_top": 2},
    {"maxlen": 9, "seed": 7},
    {"start_char": None, "index_from": 0},
    {"start_char": None, "oov_char": None, "num_words": 10},
    {"oov_char": 5, "index_from": 1, "skip_top": 4},
]


def _sequences(rng, n):
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = rng.integers(1, 20, size=int(rng.integers(2, 12))).tolist()
    return seqs


@pytest.fixture
def word_index():
    return {"the": 1, "and": 2, "a": 3, "of": 4, "film": 17}


def test_imdb(load_both, word_index, tf):
    rng = np.random.default_rng(0)
    np.savez(load_both.served / "imdb.npz", x_train=_sequences(rng, 14),
             y_train=rng.integers(0, 2, 14), x_test=_sequences(rng, 9),
             y_test=rng.integers(0, 2, 9))
    (load_both.served / "imdb_word_index.json").write_text(json.dumps(word_index))
    for options in OPTIONS:
        ours, theirs = load_both("imdb", **options)
        load_both.assert_same(ours, theirs)
    assert ours[0][0].dtype == object and len(ours[0][0]) == 14 and len(ours[1][1]) == 9
    ours, theirs = load_both("imdb", "get_word_index")
    assert ours == theirs == word_index
    ours, _ = load_both("imdb", maxlen=2)  # the same ValueError from both
    assert "no sequence was kept. Increase maxlen." in str(ours)
    # Keras ignores unknown keyword arguments; jkeras names them.
    with pytest.raises(TypeError, match="`nb_words` argument has been renamed `num_words`"):
        datasets.imdb.load_data(nb_words=100)


def test_reuters(load_both, word_index):
    rng = np.random.default_rng(1)
    np.savez(load_both.served / "reuters.npz", x=_sequences(rng, 20),
             y=rng.integers(0, 46, 20))
    (load_both.served / "reuters_word_index.json").write_text(json.dumps(word_index))
    for options in OPTIONS + [{"test_split": 0.35}, {"test_split": 0.0, "maxlen": 8}]:
        ours, theirs = load_both("reuters", **options)
        load_both.assert_same(ours, theirs)
    ours, theirs = load_both("reuters", "get_word_index")
    assert ours == theirs == word_index
    ours, theirs = load_both("reuters", "get_label_names")
    assert ours == theirs and len(ours) == 46


def test_ragged_arrays_are_read_without_arbitrary_unpickling(tmp_path):
    marker = tmp_path / "marker"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = np.empty(1, dtype=object)
    payload[0] = Exploit()
    np.savez(tmp_path / "evil.npz", x=payload)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to deserialize"):
        datasets.npz_utils.load_npz(tmp_path / "evil.npz")
    assert not marker.exists()
    np.savez(tmp_path / "ok.npz", a=np.arange(4), b=np.ones((2, 3), "float32"))
    loaded = datasets.npz_utils.load_npz(tmp_path / "ok.npz")
    np.testing.assert_array_equal(loaded["a"], np.arange(4))
    assert loaded["b"].dtype == np.float32 and loaded["b"].shape == (2, 3)

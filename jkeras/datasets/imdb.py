"""IMDB movie review sentiment classification (`keras.datasets.imdb`)."""
import json

import numpy as np

from jkeras.datasets.common import (TF_KERAS_DATASETS, check_no_kwargs, limit_vocabulary,
                                    offset_words, remove_long_seq)
from jkeras.datasets.npz_utils import load_npz
from jkeras.utils.file_utils import get_file

ORIGIN = f"{TF_KERAS_DATASETS}imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = f"{TF_KERAS_DATASETS}imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB dataset: 25,000 training and 25,000 test movie reviews as sequences of
    word ids (ids rank words by frequency), labelled positive (1) or negative (0).

    Args:
        path: where to cache the data (relative to `~/.keras/datasets`).
        num_words: keep the `num_words` most frequent words; rarer ones become `oov_char`.
            None keeps all.
        skip_top: the `skip_top` most frequent words also become `oov_char`.
        maxlen: drop the sequences that are not shorter than `maxlen` (None keeps all).
        seed: seed of the shuffling.
        start_char: id that marks each sequence's start (None for none).
        oov_char: id of the words cut by `num_words` / `skip_top` (None drops them).
        index_from: word ids start at this value.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ids and integer
        label arrays.
    """
    check_no_kwargs(kwargs, "load_data")
    f = load_npz(get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH))
    rng = np.random.RandomState(seed)
    parts = []
    for x, labels in ((f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])):
        indices = np.arange(len(x))
        rng.shuffle(indices)  # one generator for both parts, as Keras
        parts.append((offset_words(x[indices], start_char, index_from), labels[indices]))
    (x_train, labels_train), (x_test, labels_test) = parts
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept. Increase maxlen.")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return ((np.array(xs[:idx], dtype="object"), labels[:idx]),
            (np.array(xs[idx:], dtype="object"), labels[idx:]))


def get_word_index(path="imdb_word_index.json"):
    """The dict mapping each word to its id in the IMDB dataset (ids before `index_from`)."""
    path = get_file(fname=path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)

"""Reuters newswire topic classification (`keras.datasets.reuters`)."""
import json

import numpy as np

from jkeras.datasets.common import (TF_KERAS_DATASETS, limit_vocabulary, offset_words,
                                    remove_long_seq, shuffle)
from jkeras.datasets.npz_utils import load_npz
from jkeras.utils.file_utils import get_file

ORIGIN = f"{TF_KERAS_DATASETS}reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = f"{TF_KERAS_DATASETS}reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Loads the Reuters newswire dataset: 11,228 newswires as sequences of word ids (ids rank
    words by frequency), labelled over 46 topics (`get_label_names()`).

    Args:
        test_split: fraction of the dataset used as test data.
        path, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in
            `imdb.load_data`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ids and integer
        label arrays.
    """
    f = load_npz(get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH))
    xs, labels = shuffle(seed, f["x"], f["y"])
    xs = offset_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return ((np.array(xs[:idx], dtype="object"), np.array(labels[:idx])),
            (np.array(xs[idx:], dtype="object"), np.array(labels[idx:])))


def get_word_index(path="reuters_word_index.json"):
    """The dict mapping each word to its id in the Reuters dataset (ids before `index_from`:
    0 padding, 1 start, 2 out-of-vocabulary)."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed as the labels of `load_data`."""
    return LABEL_NAMES

"""What several dataset loaders share: Keras's download folder, the seeded shuffle-and-split
of the regression sets, and the word-index encoding of the text sets."""
import numpy as np

from jkeras.utils.file_utils import get_file

# Keras's bucket for the `tf-keras-datasets` files (MNIST, Fashion-MNIST, IMDB, Reuters, ...).
TF_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def check_test_split(test_split):
    if not (0 <= test_split < 1):
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and "
                         "1 (exclusive of 1).")


def load_xy(path, origin, file_hash, test_split):
    """The `x` and `y` arrays of a regression set's npz file (after checking `test_split`)."""
    check_test_split(test_split)
    with np.load(get_file(path, origin=origin, file_hash=file_hash), allow_pickle=False) as f:
        return f["x"], f["y"]


def shuffle(seed, *arrays):
    """The arrays reordered by one `np.random.RandomState(seed)` permutation (Keras's)."""
    indices = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(indices)
    return [a[indices] for a in arrays]


def shuffled_split(seed, x, y, test_split):
    """`(x_train, y_train), (x_test, y_test)` after a seeded shuffle: the first
    `int(len * (1 - test_split))` rows train."""
    x, y = shuffle(seed, x, y)
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))


def remove_long_seq(maxlen, seq, label):
    """The sequences shorter than `maxlen` and their labels (as lists)."""
    kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def offset_words(xs, start_char, index_from):
    """Each sequence as a list, `start_char` first (unless None), word ids moved up by
    `index_from`."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Ids outside `[skip_top, num_words)` become `oov_char` (dropped when it is None);
    `num_words` None or 0 means the largest id."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def check_no_kwargs(kwargs, name):
    if kwargs:
        hint = (" The `nb_words` argument has been renamed `num_words`."
                if "nb_words" in kwargs else "")
        raise TypeError(f"Unrecognized keyword arguments passed to `{name}`: {kwargs}.{hint}")

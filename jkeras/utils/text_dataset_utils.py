"""`text_dataset_from_directory`: `.txt` files in class folders -> a batched `SampleDataset`."""
import numpy as np

from jkeras.utils.dataset_utils import files_dataset


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True, seed=None,
                                validation_split=None, subset=None, follow_links=False,
                                verbose=True):
    """Generates a dataset from `.txt` files in a directory (Keras's arguments and order).

    Texts are NumPy unicode arrays of shape `(batch,)` (Keras yields `tf.string` bytes; here
    they are decoded as UTF-8); `max_length` keeps the first `max_length` bytes of each file,
    as `tf.strings.substr`. Labels as `image_dataset_from_directory`.

    Returns:
        A `SampleDataset` with `.class_names` and `.file_paths`; with `subset="both"`, a list
        `[train, validation]`.
    """
    if max_length is not None and (isinstance(max_length, bool) or int(max_length) != max_length
                                   or max_length < 0):
        raise ValueError(f"`max_length` must be a non-negative integer or None. Received: "
                         f"max_length={max_length!r}")

    def read(path):
        with open(path, "rb") as f:
            raw = f.read()
        if max_length is not None:
            raw = raw[:int(max_length)]
        return raw.decode("utf-8", errors="ignore")

    def load(paths):
        return np.array([read(p) for p in paths], dtype=str)

    return files_dataset("text files", directory, (".txt",), labels, label_mode, class_names,
                         batch_size, shuffle, seed, validation_split, subset, follow_links,
                         verbose, load)

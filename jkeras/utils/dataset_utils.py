"""`split_dataset` and the directory indexing shared by `*_dataset_from_directory`."""
import os
import random

import numpy as np

from jkeras.training import data_sources
from jkeras.training.data import leaves, map_structure, map_structure_multi
from jkeras.training.progbar import print_msg
from jkeras.utils.sample_dataset import SampleDataset


# ---------------------------------------------------------------------------- split_dataset
def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits a dataset into a left half and a right half (e.g. train / test).

    Args:
        dataset: A NumPy array, a list / tuple of arrays with the same length (samples along
            axis 0), a `tf.data.Dataset` (batched ones are split per sample and re-batched),
            or a jkeras `SampleDataset`.
        left_size: Float in (0, 1): the fraction of samples for the left dataset; int: their
            number; None: the complement of `right_size`.
        right_size: The same for the right dataset (taken from the end).
        shuffle: Whether to shuffle the samples before splitting (Python's `random` with
            `seed`, as Keras).
        seed: Random seed for shuffling.

    Returns:
        A tuple of two `SampleDataset`s (Keras returns `tf.data.Dataset`s): unbatched unless
        `dataset` was a batched dataset; `.batch(n)` batches them.
    """
    samples, batch_size = _as_samples(dataset)
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    total = _num_samples(samples)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    left_size, right_size = _rescale_split_sizes(left_size, right_size, total)
    order = np.asarray(order, dtype=np.int64)
    left = _subset(samples, order[:left_size], batch_size)
    right = _subset(samples, order[-right_size:], batch_size)
    return left, right


def _as_samples(dataset):
    """-> (structure of arrays with samples on axis 0, batch size to restore or None)."""
    if isinstance(dataset, (tuple, list)):
        arrays = type(dataset)(np.asarray(a) for a in dataset)
        if len({len(a) for a in arrays}) > 1:
            raise ValueError("The arrays of `dataset` must all have the same length. Received "
                             f"lengths {[len(a) for a in arrays]}")
        return tuple(arrays), None
    if isinstance(dataset, np.ndarray):
        return dataset, None
    if data_sources.is_tf_dataset(dataset):
        batch_size = getattr(dataset, "_batch_size", None)
        if batch_size is not None:
            dataset = dataset.unbatch()
            batch_size = int(batch_size)
        elements = list(dataset.as_numpy_iterator())
        if not elements:
            raise ValueError("Cannot split an empty dataset.")
        return map_structure_multi(lambda *a: np.stack(a), elements), batch_size
    if isinstance(dataset, SampleDataset):
        every = dataset._gather(dataset._order)
        return every, dataset.batch_size
    raise TypeError(
        "The `dataset` argument must be either a `tf.data.Dataset` object, a jkeras "
        f"SampleDataset, or a list/tuple of arrays. Received: dataset={dataset} of type "
        f"{type(dataset)}")


def _num_samples(samples):
    return len(leaves(samples)[0])


def _subset(samples, indices, batch_size):
    part = map_structure(lambda a: a[indices], samples)
    return SampleDataset(len(indices), lambda idx: map_structure(lambda a: a[idx], part),
                         batch_size)


def _rescale_split_sizes(left_size, right_size, total_length):
    """Keras's `_rescale_dataset_split_sizes`: fractions / counts -> two positive counts."""
    lt, rt = type(left_size), type(right_size)
    if (left_size is not None and lt not in (int, float)) and (
            right_size is not None and rt not in (int, float)):
        raise TypeError("Invalid `left_size` and `right_size` Types. Expected: integer or float "
                        f"or None, Received: type(left_size)={lt} and type(right_size)={rt}")
    if left_size is not None and lt not in (int, float):
        raise TypeError("Invalid `left_size` Type. Expected: int or float or None, "
                        f"Received: type(left_size)={lt}.  ")
    if right_size is not None and rt not in (int, float):
        raise TypeError("Invalid `right_size` Type. Expected: int or float or None,"
                        f"Received: type(right_size)={rt}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero.")
    if (lt is int and (left_size <= 0 or left_size >= total_length)) or (
            lt is float and (left_size <= 0 or left_size >= 1)):
        raise ValueError("`left_size` should be either a positive integer smaller than "
                         f"{total_length}, or a float within the range `[0, 1]`. Received: "
                         f"left_size={left_size}")
    if (rt is int and (right_size <= 0 or right_size >= total_length)) or (
            rt is float and (right_size <= 0 or right_size >= 1)):
        raise ValueError("`right_size` should be either a positive integer and smaller than "
                         f"{total_length} or a float within the range `[0, 1]`. Received: "
                         f"right_size={right_size}")
    if rt is lt is float and right_size + left_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = round(left_size * total_length) if lt is float else left_size
    right = round(right_size * total_length) if rt is float else right_size
    if left is None:
        left = total_length - right
    elif right is None:
        right = total_length - left
    if left + right > total_length:
        raise ValueError("The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total_length}. Received: left_size + right_size = {left + right}"
                         f"and total_length = {total_length}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(
                f"With `dataset` of length={total_length}, `left_size`={left} and "
                f"`right_size`={right}.Resulting {side} side dataset split will be empty. "
                "Adjust any of the aforementioned parameters")
    return int(left), int(right)


# ---------------------------------------------------------------------------- directories
def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset.")


def check_labels_arg(labels, label_mode, class_names):
    if not isinstance(labels, str) and labels is not None:
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size "
                "as the number of files in the target directory. If you wish to infer the "
                'labels from the subdirectory names in the target directory, pass '
                '`labels="inferred"`. If you wish to get a dataset that only contains images '
                f"(no labels), pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. Received: '
                f"labels={labels}, and class_names={class_names}")
    elif isinstance(labels, str) and labels != "inferred":
        raise ValueError(
            '`labels` argument should be a list/tuple of integer labels, of the same size as '
            'the number of files in the target directory, or `"inferred"`, or `None`. '
            f"Received: labels={labels}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def _valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda w: w[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Keras's `index_directory`: -> (file paths, int32 labels or None, class names)."""
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` must be an existing directory. Received: "
                         f"directory={directory!r}")
    if labels == "inferred":
        subdirs = [d.rstrip("/") for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of "
                    f"the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                                 "be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
    class_names = subdirs
    filenames, found = [], []
    for index, subdir in enumerate(subdirs):
        sub = os.path.join(directory, subdir)
        for root, fname in _valid_files(sub, follow_links, formats):
            filenames.append(os.path.join(os.path.basename(sub),
                                          os.path.relpath(os.path.join(root, fname), sub)))
            found.append(index)
    if labels == "inferred":
        labels = np.asarray(found, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(filenames)} files "
                f"in directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels, dtype="int32")
    if verbose:
        if labels is None:
            print_msg(f"Found {len(filenames)} files.")
        else:
            print_msg(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset):
    """Keras's `get_training_or_validation_split`: the validation subset is the tail."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print_msg(f"Using {len(samples) - num_val} files for training.")
        samples = samples[:-num_val]
        labels = None if labels is None else labels[:-num_val]
    elif subset == "validation":
        print_msg(f"Using {num_val} files for validation.")
        samples = samples[-num_val:]
        labels = None if labels is None else labels[-num_val:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: '
                         f"{subset}")
    return samples, labels


def encode_labels(labels, label_mode, num_classes):
    """int32 labels -> Keras's label tensor for `label_mode` (int32 / float32 one-hot /
    float32 (n, 1))."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        out = np.zeros((len(labels), num_classes), "float32")
        ok = (labels >= 0) & (labels < num_classes)
        out[np.arange(len(labels))[ok], labels[ok]] = 1.0  # tf.one_hot: zeros out of range
        return out
    return labels.astype("int32")


def files_dataset(kind, directory, formats, labels, label_mode, class_names, batch_size,
                  shuffle, seed, validation_split, subset, follow_links, verbose, load):
    """The shared body of `image_dataset_from_directory` / `text_dataset_from_directory`:
    index, split, and wrap each subset as a `SampleDataset` whose batches are
    `load(paths)` (plus encoded labels)."""
    check_labels_arg(labels, label_mode, class_names)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    num_classes = len(class_names) if class_names else 0

    def make(subset_name, training):
        p, lab = training_or_validation_split(paths, labels, validation_split, subset_name)
        if not p:
            what = {"training": "training ", "validation": "validation "}.get(subset_name, "") \
                if subset == "both" else ""
            allowed = ("Allowed format: .txt" if formats == (".txt",)
                       else f"Allowed format(s): {formats}" if formats == (".wav",)
                       else f"Allowed formats: {formats}")
            raise ValueError(f"No {what}{kind} found in directory {directory}. {allowed}")
        p = list(p)
        encoded = None if label_mode is None else encode_labels(lab, label_mode, num_classes)

        def gather(idx):
            items = load([p[i] for i in idx])
            return items if encoded is None else (items, encoded[idx])

        ds = SampleDataset(len(p), gather, batch_size, shuffle=shuffle and training, seed=seed,
                           order=np.arange(len(p)))
        ds.class_names = class_names
        ds.file_paths = p
        return ds

    if subset == "both":
        return [make("training", True), make("validation", False)]
    return make(subset, True)

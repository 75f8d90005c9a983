"""`SampleDataset`: the PyDataset the dataset utilities return (timeseries windows, image and
text folders, `split_dataset`): samples addressed by index, batched, optionally shuffled.

Where Keras returns a `tf.data.Dataset`, jkeras returns this: fit / evaluate / predict take it
(it is a `PyDataset`), iterating it yields NumPy batches, `len()` is the number of batches, and
`.batch(n)` / `.unbatch()` give a re-batched view. A shuffled dataset draws a new order for
every pass (each `for` loop, or each epoch of fit), from its `seed`.
"""
import math

import numpy as np

from jkeras.training.data import map_structure
from jkeras.training.py_dataset import PyDataset


class SampleDataset(PyDataset):
    """`gather(indices) -> batch` over `num_samples` samples (an int array of indices in, a
    structure of arrays with that many rows out)."""

    def __init__(self, num_samples, gather, batch_size=None, shuffle=False, seed=None,
                 order=None, **kwargs):
        super().__init__(**kwargs)
        self.num_samples = int(num_samples)
        self._gather = gather
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._rng = np.random.RandomState(seed)
        if order is not None:
            self._order = np.asarray(order)
        else:
            self._order = (self._rng.permutation(self.num_samples) if shuffle
                           else np.arange(self.num_samples))

    def __len__(self):
        if self.batch_size is None:
            return self.num_samples
        return int(math.ceil(self.num_samples / self.batch_size))

    def __getitem__(self, index):
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Batch indices must be integers. Received: {index!r}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"Batch index {index} is out of range for a dataset of {n} "
                             f"{'samples' if self.batch_size is None else 'batches'}.")
        index = int(index) % n
        if self.batch_size is None:
            return map_structure(lambda a: a[0], self._gather(self._order[index:index + 1]))
        return self._gather(self._order[index * self.batch_size:(index + 1) * self.batch_size])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
        self.on_epoch_end()

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(self.num_samples)

    def batch(self, batch_size):
        """The same samples (in the same order) in batches of `batch_size`."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or (
                batch_size <= 0):
            raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
        return self._view(int(batch_size))

    def unbatch(self):
        """The same samples, one at a time."""
        return self._view(None)

    def _view(self, batch_size):
        view = SampleDataset(self.num_samples, self._gather, batch_size, self.shuffle, None,
                             order=self._order, workers=self._workers,
                             use_multiprocessing=self._use_multiprocessing,
                             max_queue_size=self._max_queue_size)
        view._rng = self._rng
        for name in ("class_names", "file_paths"):
            if hasattr(self, name):
                setattr(view, name, getattr(self, name))
        return view

    def __repr__(self):
        return (f"<SampleDataset samples={self.num_samples}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}>")

"""Host-side batch sources behind `IterableData`: one small adapter per kind of input.

Recognised without importing the libraries they come from (by the type's module name, as
Keras's data adapters do): `tf.data.Dataset` (read with `as_numpy_iterator`), PyTorch
`DataLoader` and Grain datasets / loaders (read by iterating, tensors converted to NumPy),
`PyDataset` (index-based, with parallel workers), and any other Python iterable or iterator.
Every adapter offers the same surface: `kind`, `one_shot`, `num_batches` (None when unknown or
infinite), `first()` (one raw batch, without consuming the training stream),
`iterator(shuffle)` (one pass of raw batches), `on_epoch_begin()` and `on_epoch_end()`.
"""
import itertools
import sys
import types

import numpy as np

from jkeras.training import py_dataset as py_dataset_lib


def _mro_matches(x, names, module_part):
    return any(c.__name__ in names and module_part in str(c.__module__)
               for c in type(x).__mro__)


def is_tf_dataset(x):
    return _mro_matches(x, ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction"),
                        "tensorflow.python.")


def is_torch_dataloader(x):
    return _mro_matches(x, ("DataLoader",), "torch.utils.data")


def is_grain_dataset(x):
    return _mro_matches(x, ("MapDataset", "IterDataset", "DataLoader"), "grain")


def is_py_dataset(x):
    return isinstance(x, py_dataset_lib.PyDataset) or _mro_matches(x, ("PyDataset",), "keras")


def is_one_shot(x):
    return isinstance(x, types.GeneratorType) or hasattr(x, "__next__")


def _first_of(iterator):
    return next(iterator, None)


class _Iterable:
    """Any re-iterable Python object: a fresh `iter()` each epoch."""
    kind = "Python iterable"
    one_shot = False

    def __init__(self, source):
        self.source = source

    @property
    def num_batches(self):
        try:
            return len(self.source)
        except TypeError:
            return None

    def _iter(self):
        src = self.source
        if hasattr(src, "__getitem__") and hasattr(src, "__len__") and not hasattr(src, "__iter__"):
            return (src[i] for i in range(len(src)))
        return iter(src)

    def iterator(self, shuffle=False):
        return self._iter()

    def first(self):
        return _first_of(self._iter())

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        end = getattr(self.source, "on_epoch_end", None)
        if callable(end):
            end()


class _OneShot(_Iterable):
    """A generator / iterator: consumed across epochs; the batch peeked for shapes is kept."""
    kind = "generator"
    one_shot = True

    def __init__(self, source):
        super().__init__(source)
        self._it = iter(source)
        self._peeked = []

    num_batches = None

    def iterator(self, shuffle=False):
        peeked, self._peeked = self._peeked, []
        return itertools.chain(peeked, self._it)

    def first(self):
        batch = _first_of(self._it)
        if batch is not None:
            self._peeked.append(batch)
        return batch

    def on_epoch_end(self):
        pass


class _TFDataset(_Iterable):
    kind = "tf.data.Dataset"

    @property
    def num_batches(self):
        card = self.source.cardinality
        card = int(card() if callable(card) else card)
        return card if card >= 0 else None  # INFINITE (-1) and UNKNOWN (-2)

    def _iter(self):
        return iter(self.source.as_numpy_iterator())

    def first(self):
        return _first_of(iter(self.source.take(1).as_numpy_iterator()))

    def on_epoch_end(self):
        pass


def _tensors_to_numpy(tree):
    if isinstance(tree, dict):
        return {k: _tensors_to_numpy(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_tensors_to_numpy(v) for v in tree)
    if hasattr(tree, "detach") and hasattr(tree, "cpu"):  # a torch tensor
        return tree.detach().cpu().numpy()
    return tree


class _TensorLoader(_Iterable):
    """A PyTorch DataLoader or a Grain dataset / loader: iterated, tensors made NumPy."""

    def __init__(self, source, kind):
        super().__init__(source)
        self.kind = kind

    def _iter(self):
        return map(_tensors_to_numpy, iter(self.source))

    def on_epoch_end(self):
        pass


class _Grain(_TensorLoader):
    """A Grain `MapDataset` / `IterDataset` / `DataLoader`: a fresh pass per epoch. The size is
    a `MapDataset`'s length (Grain gives a repeated one `sys.maxsize`: infinite)."""

    def __init__(self, source):
        super().__init__(source, "grain dataset")

    @property
    def num_batches(self):
        n = super().num_batches
        return None if n is None or n >= sys.maxsize else n


class _PyDataset(_Iterable):
    """Index-based batches; shuffled batch order when fit's `shuffle=True` (as Keras); parallel
    fetching with `workers > 1` or `use_multiprocessing=True`."""
    kind = "PyDataset"

    def __init__(self, source):
        super().__init__(source)
        ds = source
        self.workers = int(getattr(ds, "workers", 1) or 0)
        self.use_multiprocessing = bool(getattr(ds, "use_multiprocessing", False))
        self.max_queue_size = getattr(ds, "max_queue_size", 10)

    @property
    def num_batches(self):
        return py_dataset_lib.batch_count(self.source)

    def iterator(self, shuffle=False):
        ds = self.source
        indices = py_dataset_lib.epoch_indices(ds, shuffle)
        if self.workers > 1 or (self.workers > 0 and self.use_multiprocessing):
            return py_dataset_lib.parallel_batches(ds, indices, self.workers,
                                                   self.use_multiprocessing, self.max_queue_size)
        return py_dataset_lib.serial_batches(ds, indices)

    def first(self):
        if self.num_batches == 0:
            return None
        return next(py_dataset_lib.serial_batches(self.source, iter([0])))

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def adapt(source):
    """The adapter for `source` (anything `is_batch_iterable` accepts)."""
    if is_tf_dataset(source):
        return _TFDataset(source)
    if is_torch_dataloader(source):
        return _TensorLoader(source, "torch DataLoader")
    if is_grain_dataset(source):
        return _Grain(source)
    if is_py_dataset(source):
        return _PyDataset(source)
    if is_one_shot(source):
        return _OneShot(source)
    return _Iterable(source)


def describe(value):
    """`shape dtype` of one leaf, for error messages."""
    return f"shape={tuple(np.shape(value))}, dtype={np.result_type(value)}"


def adapt_kind(source):
    """What `source` is, in Keras's words ("tf.data.Dataset", "PyDataset", "generator", ...)."""
    for test, kind in ((is_tf_dataset, "tf.data.Dataset"), (is_torch_dataloader, "torch DataLoader"),
                       (is_grain_dataset, "grain dataset"), (is_py_dataset, "PyDataset"),
                       (is_one_shot, "generator")):
        if test(source):
            return kind
    return "Python iterable"

"""`PyDataset` (`keras.utils.PyDataset`, alias `Sequence`) and the workers that fetch its batches.

A PyDataset returns whole batches from `__getitem__` and their count from `__len__` (or the
`num_batches` property; None means infinite). fit / evaluate / predict read it on the host:
with `workers > 1` (threads) or `use_multiprocessing=True` (processes, the platform's default
start method, as Keras's `multiprocessing.Pool`), up to `max_queue_size` batches are requested
ahead and handed over in index order. An exception inside a worker reaches the caller as the
worker raised it (with the worker's traceback; a process's traceback is attached as the cause)
and a note naming the batch index; a worker process that dies raises instead of hanging.
"""
import collections
import concurrent.futures as futures
from concurrent.futures.process import BrokenProcessPool  # futures.process loads lazily
import itertools
import random
import warnings


def _setting(attr, doc):
    """A PyDataset setting: read through `_warn_if_super_not_called` (as Keras), assignable."""
    def get(self):
        self._warn_if_super_not_called()
        return getattr(self, attr)

    def put(self, value):
        setattr(self, attr, value)
    return property(get, put, doc=doc)


class PyDataset:
    """Base class for a dataset of batches computed in Python.

    Subclasses implement `__getitem__(index)` (a complete batch: `x`, `(x,)`, `(x, y)` or
    `(x, y, sample_weight)`) and `__len__()` (the number of batches), or the `num_batches`
    property (None for an infinite dataset), and optionally `on_epoch_begin` / `on_epoch_end`.

    Args:
        workers: Number of workers fetching batches in parallel during fit / evaluate /
            predict (threads, or processes with `use_multiprocessing=True`).
        use_multiprocessing: Whether the workers are processes (the dataset must then be
            picklable where the platform spawns rather than forks).
        max_queue_size: Maximum number of batches requested ahead of the one consumed.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        warn = False
        for name, default in (("_workers", 1), ("_use_multiprocessing", False),
                              ("_max_queue_size", 10)):
            if not hasattr(self, name):
                setattr(self, name, default)
                warn = True
        if warn:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will be "
                "ignored.", stacklevel=3)

    workers = _setting("_workers", "Number of workers fetching batches in parallel.")
    use_multiprocessing = _setting("_use_multiprocessing", "Whether the workers are processes.")
    max_queue_size = _setting("_max_queue_size", "Batches requested ahead of the one consumed.")

    def __getitem__(self, index):
        """The batch at position `index`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__getitem__(self, index)` returning a batch.")

    def __iter__(self):
        num = self.num_batches
        for index in (range(num) if num is not None else itertools.count()):
            yield self[index]

    @property
    def num_batches(self):
        """Number of batches, or None for an infinite dataset (defaults to `len(self)`)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n"
            "@property\ndef num_batches(self):\n  return ...")

    def on_epoch_begin(self):
        """Called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


Sequence = PyDataset


def batch_count(dataset):
    """`num_batches` of a PyDataset-like object (`__len__` when it has no such property)."""
    if hasattr(type(dataset), "num_batches") or hasattr(dataset, "num_batches"):
        try:
            return dataset.num_batches
        except NotImplementedError:
            pass
    return len(dataset)


def epoch_indices(dataset, shuffle):
    """This epoch's batch indices: in order, shuffled (Python's `random`, as Keras), or
    endless for an infinite dataset."""
    num = batch_count(dataset)
    if num is None:
        return itertools.count()
    indices = list(range(num))
    if shuffle:
        random.shuffle(indices)
    return iter(indices)


def with_index_note(error, index, dataset):
    """The same exception, noting which batch raised it (a note from Python 3.11 on)."""
    note = f"(raised while getting batch {index} of {type(dataset).__name__})"
    if hasattr(error, "add_note"):
        error.add_note(note)
    elif error.args and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]} {note}",) + error.args[1:]
    return error


def serial_batches(dataset, indices):
    """Batches fetched in the caller's thread."""
    for i in indices:
        try:
            batch = dataset[i]
        except Exception as e:
            raise with_index_note(e, i, dataset)
        yield batch


def parallel_batches(dataset, indices, workers, use_multiprocessing, max_queue_size):
    """Batches fetched by a pool of `workers`, at most `max_queue_size` in flight, yielded in
    index order. The pool lives for one pass (Keras starts one per epoch, so worker processes
    see what `on_epoch_end` changed)."""
    ahead = max(int(max_queue_size or 1), int(workers), 1)
    if use_multiprocessing:
        pool = futures.ProcessPoolExecutor(max(1, workers), initializer=_set_worker_dataset,
                                           initargs=(dataset,))
        fetch = _worker_getitem
    else:
        pool = futures.ThreadPoolExecutor(max(1, workers), thread_name_prefix="PyDataset")
        fetch = dataset.__getitem__
    pending = collections.deque()
    try:
        for i in itertools.islice(indices, ahead):
            pending.append((i, pool.submit(fetch, i)))
        while pending:
            i, future = pending.popleft()
            try:
                batch = future.result()
            except BrokenProcessPool as e:
                raise RuntimeError(
                    f"A worker process of {type(dataset).__name__} died while getting batch "
                    f"{i} (killed, out of memory, or crashed in native code). Run it with "
                    "`use_multiprocessing=False` to see the error in this process.") from e
            except Exception as e:
                raise with_index_note(e, i, dataset)
            for j in itertools.islice(indices, 1):
                pending.append((j, pool.submit(fetch, j)))
            yield batch
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


# The dataset of a worker process, set once by the pool's initializer (inherited without
# pickling where processes fork).
_WORKER_DATASET = None


def _set_worker_dataset(dataset):
    global _WORKER_DATASET
    _WORKER_DATASET = dataset


def _worker_getitem(index):
    return _WORKER_DATASET[index]

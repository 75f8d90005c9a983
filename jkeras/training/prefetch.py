"""Background prefetch of host batches: a thread pulls from a Python source (generator,
PyDataset, tf.data, loader) into a small bounded buffer while the compiled step runs, so fit
from a pipeline is not bound by the pipeline's latency when the pipeline is fast enough.

`prefetch(iterator, buffer_size=2, stage=None)` yields the same items in the same order;
`stage`, when given, is applied to each item in the background thread (fit uses it to check
each batch and `device_put` it, so batches arrive on the device while the previous step runs).
An exception raised by the source (or by `stage`) reaches the consumer as the very same
exception object (its traceback still points into the source) at the position where it
happened; items before it are delivered first. The thread stops when the source ends, when
the consumer's iterator is closed or garbage-collected, or when the interpreter exits (daemon
thread), so an abandoned infinite source never hangs.
"""
import queue
import threading

# Double buffering: one batch in use by the step, one or two ready behind it. 0 turns the
# background thread off (items are pulled when asked for; the benchmark compares both).
BUFFER_SIZE = 2
_POLL_SECONDS = 0.1
_ITEM, _END, _ERROR = 0, 1, 2


def _pull(source, stage, buffer, stop):
    """The thread's work: move items from `source` (through `stage`) into `buffer` until
    stopped."""
    def put(entry):
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    try:
        for item in source:
            if stage is not None:
                item = stage(item)
            if not put((_ITEM, item)):
                break
        else:
            put((_END, None))
    except BaseException as error:  # noqa: BLE001 - handed to the consumer, re-raised there
        put((_ERROR, error))
    finally:
        close = getattr(source, "close", None)
        if stop.is_set() and callable(close):
            close()  # a generator's own cleanup (e.g. a PyDataset's worker pool) runs now


class Prefetcher:
    """An iterator over `source`'s items (each passed through `stage` when given), pulled ahead
    by a background thread."""

    def __init__(self, source, buffer_size=BUFFER_SIZE, name="jkeras-prefetch", stage=None):
        if int(buffer_size) < 1:
            raise ValueError(f"`buffer_size` must be at least 1. Received: buffer_size={buffer_size}")
        self._buffer = queue.Queue(maxsize=int(buffer_size))
        self._stop = threading.Event()
        self._done = False
        # The thread holds the source, the buffer and the event, never this object, so dropping
        # the last reference to it stops the thread (see __del__).
        self._thread = threading.Thread(
            target=_pull, args=(iter(source), stage, self._buffer, self._stop), name=name,
            daemon=True)
        self._thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        kind, value = self._buffer.get()
        if kind == _ITEM:
            return value
        self._done = True
        self._thread.join()
        if kind == _ERROR:
            raise value
        raise StopIteration

    @property
    def ready(self):
        """How many items are pulled and waiting."""
        return self._buffer.qsize()

    def close(self):
        """Stop the thread (items already pulled are dropped)."""
        self._done = True
        self._stop.set()

    def __del__(self):
        stop = getattr(self, "_stop", None)  # absent when __init__ raised
        if stop is not None:
            stop.set()


def prefetch(source, buffer_size=None, stage=None):
    """`source`'s items (through `stage`), pulled ahead in the background (see `Prefetcher`);
    `buffer_size` defaults to the module's `BUFFER_SIZE`, and 0 returns a plain iterator (no
    thread: `stage` then runs when an item is asked for)."""
    buffer_size = BUFFER_SIZE if buffer_size is None else buffer_size
    if buffer_size == 0:
        return iter(source) if stage is None else map(stage, source)
    return Prefetcher(source, buffer_size, stage=stage)

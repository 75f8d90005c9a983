"""Host batches are pulled ahead by a background thread: in order, really ahead of the step
that consumes them, errors from the source reach the user, and abandoned sources stop."""
import threading
import time
import traceback

import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.training import prefetch as prefetch_lib


def wait_for(condition, seconds=5.0):
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        time.sleep(0.005)
    return condition()


def test_same_items_in_order():
    assert list(prefetch_lib.prefetch(iter(range(50)))) == list(range(50))
    assert list(prefetch_lib.prefetch([])) == []
    assert not isinstance(prefetch_lib.prefetch(range(3), buffer_size=0), prefetch_lib.Prefetcher)
    assert list(prefetch_lib.prefetch(range(3), buffer_size=0)) == [0, 1, 2]
    with pytest.raises(ValueError, match="`buffer_size` must be at least 1"):
        prefetch_lib.Prefetcher(range(3), buffer_size=0)


def test_pulls_ahead_of_the_consumer():
    pulled = []

    def source():
        for i in range(10):
            pulled.append(i)
            yield i
    it = prefetch_lib.prefetch(source(), buffer_size=2)
    assert next(it) == 0
    # While the consumer holds item 0, items 1 and 2 wait in the buffer and item 3 is pulled
    # (the thread waits to put it): the source runs ahead without the consumer asking.
    assert wait_for(lambda: len(pulled) >= 4)
    assert it.ready == 2 and len(pulled) == 4
    assert list(it) == list(range(1, 10))


def failing(n_good):
    for i in range(n_good):
        yield i
    raise_in_source(n_good)


def raise_in_source(i):
    raise KeyError(f"no record {i}")


def test_errors_reach_the_consumer_after_the_items_before_them():
    it = prefetch_lib.prefetch(failing(3))
    assert [next(it), next(it), next(it)] == [0, 1, 2]
    with pytest.raises(KeyError, match="no record 3") as info:
        next(it)
    assert "raise_in_source" in "".join(traceback.format_tb(info.tb))
    with pytest.raises(StopIteration):
        next(it)


def test_abandoned_infinite_source_stops_and_closes():
    closed = threading.Event()

    def forever():
        try:
            while True:
                yield 1
        finally:
            closed.set()
    it = prefetch_lib.prefetch(forever())
    next(it)
    thread = it._thread
    del it  # the last reference: the thread stops and the generator's cleanup runs
    thread.join(timeout=5)
    assert not thread.is_alive() and closed.is_set()


def _model():
    model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=1)
    return model


def test_fit_pulls_batches_while_earlier_steps_run():
    """A slow consumer (a callback that takes 100 ms per batch) and a fast source: when batch
    i begins, batches i+1 and i+2 were already pulled. Without a background thread only batch
    i would have been (the loop pulls the next chunk after dispatching the current one)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    pulled, ahead = [], []

    def source():
        while True:
            pulled.append(len(pulled))
            yield x, y

    class Slow(jkeras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch:
                ahead.append(len(pulled) - 1 - batch)  # batches pulled beyond the current one

        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.1)

    _model().fit(source(), steps_per_epoch=8, epochs=1, verbose=0, callbacks=[Slow()])
    assert len(ahead) == 7 and min(ahead) >= 2, ahead


def test_fit_source_error_reaches_the_user_and_nothing_hangs():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")

    def source():
        for i in range(3):
            yield x, y
        raise_in_source(3)
    before = threading.active_count()
    with pytest.raises(KeyError, match="no record 3") as info:
        _model().fit(source(), epochs=1, verbose=0)
    assert "raise_in_source" in "".join(traceback.format_tb(info.tb))
    assert wait_for(lambda: threading.active_count() <= before)


def test_pydataset_worker_error_still_names_the_batch():
    class Batches(jkeras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == 2:
                raise_in_source(i)
            return np.ones((4, 4), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(KeyError, match="no record 2") as info:
        _model().fit(Batches(workers=2), epochs=1, verbose=0)
    assert "raised while getting batch 2 of Batches" in str(info.value.__notes__)

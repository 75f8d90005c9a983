"""Prefetch to the device: host batches are checked and `device_put` by the background thread
(double-buffered), arriving as committed jax.Arrays on the caller's default device, or on the
data sharding under `DataParallel`; results are the same as without prefetch and as arrays."""
import json
import os
import pathlib
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.training import data as D
from jkeras.training import prefetch as prefetch_lib

HERE = pathlib.Path(__file__).parent


def _xy(n=80, d=4):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d)).astype("float32")
    return x, (x @ rng.standard_normal((d, 1)) + 0.3).astype("float32")


def _batches(x, y, size=16):
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


class Reiterable:
    """A re-iterable source (a list would be taken as several inputs, not as batches)."""

    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)


def _model():
    jkeras.utils.set_random_seed(0)
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(8, activation="tanh"),
                           layers.Dense(1)])
    m.compile(jkeras.optimizers.Adam(0.01), "mse")
    return m


def test_batches_arrive_committed_on_the_device_placed_by_the_thread():
    x, y = _xy()
    data = D.IterableData(Reiterable(_batches(x, y)))
    # Explicit host->device copies are refused on this thread: the prefetch thread makes them.
    with jax.transfer_guard_host_to_device("disallow_explicit"):
        got = list(data.epoch(on_device=True))
    assert len(got) == 5
    for (bx, by, sw), (hx, hy) in zip(got, _batches(x, y)):
        for a, ref in ((bx, hx), (by, hy)):
            assert isinstance(a, jax.Array) and a.committed
            assert a.devices() == {jax.devices()[0]}
            np.testing.assert_array_equal(np.asarray(a), ref)
        assert sw is None
    host = list(D.IterableData(Reiterable(_batches(x, y))).epoch())
    assert all(isinstance(b[0], np.ndarray) for b in host)


def test_the_thread_places_the_next_batches_while_the_consumer_holds_one():
    x, y = _xy()
    data = D.IterableData(Reiterable(_batches(x, y)))
    it = data.epoch(on_device=True)
    next(it)
    deadline = time.time() + 10
    while data._it.ready < prefetch_lib.BUFFER_SIZE and time.time() < deadline:
        time.sleep(0.01)
    assert data._it.ready == prefetch_lib.BUFFER_SIZE  # double-buffered, already placed
    assert all(isinstance(a, jax.Array) for a in data._it._buffer.queue[0][1][:2])
    assert len(list(it)) == 4


def test_an_abandoned_endless_source_stops_its_thread():
    import gc
    x, y = _xy(32)

    def forever():
        while True:
            yield x[:16], y[:16]
    data = D.IterableData(forever(), steps=2)
    it = data.epoch(on_device=True)
    next(it)
    thread = data._it._thread
    assert thread.is_alive()
    del it, data
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()  # the thread never held the IterableData


def test_the_callers_default_device_is_used():
    x, y = _xy(32)
    cpu = jax.devices("cpu")[-1]
    with jax.default_device(cpu):
        got = list(D.IterableData(Reiterable(_batches(x, y))).epoch(on_device=True))
    assert all(b[0].devices() == {cpu} for b in got)


@pytest.mark.parametrize("buffer_size", [0, 2])
def test_fit_evaluate_predict_from_a_pipeline_equal_arrays(monkeypatch, buffer_size):
    monkeypatch.setattr(prefetch_lib, "BUFFER_SIZE", buffer_size)
    x, y = _xy()
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(Reiterable(_batches(x, y)), epochs=3, verbose=0)
    hb = b.fit(x, y, batch_size=16, shuffle=False, epochs=3, verbose=0)
    assert ha.history["loss"][-1] < 0.7 * ha.history["loss"][0]
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, atol=1e-6)
    np.testing.assert_allclose(a.evaluate(Reiterable(_batches(x, y)), verbose=0),
                               b.evaluate(x, y, batch_size=16, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(a.predict(Reiterable([(x[:40],), (x[40:],)]), verbose=0),
                               b.predict(x, verbose=0), atol=1e-6)


def test_a_bad_batch_found_in_the_thread_reaches_fit_with_its_index():
    x, y = _xy()
    bad = _batches(x, y)
    bad[3] = (bad[3][0].astype("float64"), bad[3][1])
    with pytest.raises(TypeError, match=r"generator yielded `x` of dtype float64 in batch 3"):
        _model().fit((b for b in bad), epochs=1, verbose=0)
    ragged = _batches(x, y)
    ragged[2] = (ragged[2][0], ragged[2][1][:3])
    with pytest.raises(ValueError, match=r"(?s)cardinality.*in batch 2 of the Python iterable"):
        _model().fit(Reiterable(ragged), epochs=1, verbose=0)


def test_data_parallel_batches_go_straight_to_their_shards():
    flags = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4"
    root = HERE.parent.parent
    env = dict(os.environ, XLA_FLAGS=flags.strip(), JAX_PLATFORMS="cpu",
               TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(HERE / "prefetch_dp_checks.py")], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["device_count"] == 4
    assert out["split"] == [[True, True]] * 5  # (16, ...) batches split 4 ways on 'batch'
    assert out["last_replicated"] == [True, True]  # 6 rows: sent whole, as put_batch does
    assert out["values"]
    assert out["weights"] < 1e-5 and out["evaluate"] < 1e-5 and out["predict"] < 1e-5


class _Crashes(jkeras.utils.PyDataset):
    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x, y

    def __len__(self):
        return 5

    def __getitem__(self, i):
        if i == 2:
            os._exit(3)  # the worker process dies
        return self.x[i * 16:(i + 1) * 16], self.y[i * 16:(i + 1) * 16]


def test_a_worker_crash_during_fit_raises_instead_of_hanging():
    import warnings
    x, y = _xy()
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # jax's note on fork
        with pytest.raises(RuntimeError, match="worker process of _Crashes died while getting "
                                               "batch 2"):
            _model().fit(_Crashes(x, y, workers=2, use_multiprocessing=True), epochs=2,
                         verbose=0)
    assert time.time() - t < 60

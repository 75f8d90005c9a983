"""fit / evaluate / predict from tf.data datasets, PyDatasets (parallel workers), generators
and duck-typed loaders; Keras's errors for bad inputs, with the batch index."""
import os
import threading
import time
import traceback
import warnings

import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.training import data as D
from jkeras.training import data_sources
from jkeras.utils import PyDataset


def _xy(n=96, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    return x, (x @ rng.standard_normal((d, 1)) + 0.3).astype("float32")


def _model(seed=0, lr=0.05):
    jkeras.utils.set_random_seed(seed)
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(8, activation="tanh"),
                           layers.Dense(1)])
    m.compile(jkeras.optimizers.SGD(lr), "mse")
    return m


def _trains(history):
    loss = history.history["loss"]
    assert loss[-1] < 0.7 * loss[0], loss
    return loss


class Batches(PyDataset):
    def __init__(self, x, y, batch_size=16, delay=0.0, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.bs, self.delay, self.fail_at = x, y, batch_size, delay, fail_at
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.bs))

    def __getitem__(self, i):
        if i == self.fail_at:
            raise_from_inside_worker(i)
        if self.delay:
            time.sleep(self.delay)
        return self.x[i * self.bs:(i + 1) * self.bs], self.y[i * self.bs:(i + 1) * self.bs]

    def on_epoch_end(self):
        self.epochs_ended += 1


def raise_from_inside_worker(i):
    raise KeyError(f"no record for batch {i}")


class Crashes(Batches):
    def __getitem__(self, i):
        if i == 2:
            os._exit(3)
        return super().__getitem__(i)


# ---------------------------------------------------------------------------- tf.data
def test_tf_dataset_is_recognised_by_module_name(tf):
    x, y = _xy()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    assert data_sources.is_tf_dataset(ds) and data_sources.adapt_kind(ds) == "tf.data.Dataset"
    assert not data_sources.is_tf_dataset([ds]) and not data_sources.is_tf_dataset(x)
    data = D.IterableData(ds)
    assert data.num_batches == 6 and len(list(data.epoch())) == 6
    infinite = D.IterableData(ds.repeat(), steps=4)
    assert infinite.adapter.num_batches is None and infinite.num_batches == 4


def test_arrays_and_unshuffled_tf_data_give_the_same_weights(tf):
    x, y = _xy()
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    hb = b.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(16), epochs=3, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, atol=1e-6)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    _trains(hb)


def test_tf_data_shuffled_with_seed_and_validation_dataset(tf):
    x, y = _xy(128)
    train = tf.data.Dataset.from_tensor_slices((x[:96], y[:96])).shuffle(96, seed=1).batch(16)
    val = tf.data.Dataset.from_tensor_slices((x[96:], y[96:])).batch(16)
    h = _model().fit(train, validation_data=val, epochs=4, verbose=0)
    _trains(h)
    assert len(h.history["val_loss"]) == 4 and h.history["val_loss"][-1] < h.history["val_loss"][0]


def test_tf_data_repeat_with_steps_per_epoch(tf):
    x, y = _xy()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(96, seed=2).batch(16).repeat()
    m = _model()
    h = m.fit(ds, steps_per_epoch=5, epochs=4, verbose=0)
    assert len(h.history["loss"]) == 4
    _trains(h)
    # evaluate / predict with `steps` over the infinite dataset
    assert np.isfinite(m.evaluate(ds, steps=3, verbose=0))
    assert m.predict(tf.data.Dataset.from_tensor_slices(x).batch(16).repeat(), steps=2,
                     verbose=0).shape == (32, 1)


def test_steps_per_epoch_continues_through_a_finite_dataset_as_keras(tf):
    x, y = _xy(96)
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(96.0))).batch(16)  # 6 batches
    data = D.IterableData(ds, steps=4)
    firsts = [b[1][0] for b in data.epoch()]
    with pytest.warns(UserWarning, match="ran out of data"):
        second = [b[1][0] for b in data.epoch()]  # Keras: the pass ends after 2 more batches
    third = [b[1][0] for b in data.epoch()]  # then restarts
    assert firsts == [0, 16, 32, 48] and second == [64, 80] and third == firsts


def test_tf_data_dict_elements_and_sample_weights(tf):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((64, 3), dtype="float32"), rng.standard_normal((64, 2),
                                                                            dtype="float32")
    y = (a.sum(1, keepdims=True) - b[:, :1]).astype("float32")
    sw = np.linspace(0.5, 1.5, 64).astype("float32")

    def build():
        jkeras.utils.set_random_seed(0)
        ia, ib = jkeras.Input((3,), name="a"), jkeras.Input((2,), name="b")
        out = layers.Dense(1)(layers.Concatenate()([ia, ib]))
        m = jkeras.Model({"a": ia, "b": ib}, out)
        m.compile(jkeras.optimizers.SGD(0.05), "mse")
        return m
    m1, m2 = build(), build()
    m2.set_weights(m1.get_weights())
    ds = tf.data.Dataset.from_tensor_slices(({"a": a, "b": b}, y, sw)).batch(16)
    h = m1.fit(ds, epochs=3, verbose=0)
    m2.fit({"a": a, "b": b}, y, sample_weight=sw, batch_size=16, epochs=3, shuffle=False,
           verbose=0)
    for w1, w2 in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(w1, w2, atol=1e-6)
    _trains(h)
    pred = m1.predict(tf.data.Dataset.from_tensor_slices({"a": a, "b": b}).batch(16), verbose=0)
    np.testing.assert_allclose(pred, m1.predict({"a": a, "b": b}, verbose=0), atol=1e-6)


def test_class_weight_with_tf_data_matches_arrays(tf):
    x, _ = _xy(64)
    y = (x[:, :1] > 0).astype("float32")
    cw = {0: 1.0, 1: 3.0}
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    a.fit(x, y, batch_size=16, class_weight=cw, shuffle=False, epochs=2, verbose=0)
    b.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(16), class_weight=cw, epochs=2,
          verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, atol=1e-6)


def test_validation_split_and_y_rejected_with_keras_messages(tf):
    x, y = _xy()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    m = _model()
    with pytest.raises(ValueError, match="`validation_split` is only supported for Tensors or "
                                         "NumPy arrays"):
        m.fit(ds, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="When providing `x` as a tf.data.Dataset, `y` should "
                                         "not be passed"):
        m.fit(ds, y, verbose=0)
    with pytest.raises(ValueError, match="`validation_split` is only supported"):
        m.fit(Batches(x, y), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="`validation_split` is only supported"):
        m.fit((b for b in [(x, y)]), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="`class_weight` is not supported for Python generator inputs"):
        m.fit((b for b in [(x, y)]), class_weight={0: 1.0}, verbose=0)


def test_inconsistent_batches_name_the_batch(tf):
    x, y = _xy(48)
    rank = [(x[:16], y[:16]), (x[16:32], y[16:32]), (x[32:, :, None], y[32:])]
    with pytest.raises(ValueError, match=r"(?s)same rank.*`x`.*batch 2"):
        list(D.IterableData(rank).epoch())
    dtype = tf.data.Dataset.from_generator(
        lambda: iter([(x[:16], y[:16]), (x[16:32], y[16:32].astype("int32"))]),
        output_signature=(tf.TensorSpec((None, 4), tf.float32),
                          tf.TensorSpec((None, 1), tf.float32)))
    # tf.data itself enforces its signature; a plain iterable is checked by jkeras
    mixed = [(x[:16], y[:16]), (x[16:32], y[16:32].astype("int32"))]
    with pytest.raises(TypeError, match=r"`y` of dtype int32 in batch 1.*float32"):
        list(D.IterableData(mixed).epoch())
    assert len(list(D.IterableData(dtype.take(1)).epoch())) == 1
    keys = [({"a": x[:16]}, y[:16]), ({"b": x[16:32]}, y[16:32])]
    with pytest.raises(ValueError, match="different structures: `x` of batch 1"):
        list(D.IterableData(keys).epoch())
    ragged = [(x[:16], y[:16]), (x[16:32], y[16:30])]
    with pytest.raises(ValueError, match=r"(?s)cardinality.*in batch 1 of the Python iterable"):
        list(D.IterableData(ragged).epoch())


# ---------------------------------------------------------------------------- PyDataset
def test_pydataset_keras_semantics():
    x, y = _xy(40)
    ds = Batches(x, y, batch_size=16)
    assert ds.num_batches == 3 and (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (
        1, False, 10)
    assert jkeras.utils.Sequence is PyDataset
    assert [b[0].shape[0] for b in ds] == [16, 16, 8]  # __iter__ over num_batches

    class NoSuper(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, i):
            return x[:2], y[:2]
    with pytest.warns(UserWarning, match=r"super\(\).__init__\(\*\*kwargs\)"):
        assert NoSuper().workers == 1

    class Infinite(PyDataset):
        num_batches = None

        def __getitem__(self, i):
            return x[:4] + i, y[:4]
    data = D.IterableData(Infinite(), steps=3)
    assert [b[0][0, 0] - x[0, 0] for b in data.epoch()] == pytest.approx([0, 1, 2])
    assert [b[0][0, 0] - x[0, 0] for b in data.epoch()] == pytest.approx([3, 4, 5])


def test_pydataset_epoch_end_and_shuffled_batch_order():
    x, y = _xy(64)
    ds = Batches(x, np.arange(64.0)[:, None], batch_size=8)
    data = D.IterableData(ds, shuffle=True)
    orders = [[int(b[1][0, 0]) // 8 for b in data.epoch()] for _ in range(3)]
    assert all(sorted(o) == list(range(8)) for o in orders) and orders[0] != orders[1]
    assert ds.epochs_ended == 3
    assert [int(b[1][0, 0]) // 8 for b in D.IterableData(ds).epoch()] == list(range(8))


def test_two_thread_workers_run_in_parallel_and_keep_order():
    x, y = _xy(64)
    active, peak, lock = [0], [0], threading.Lock()

    class Slow(Batches):
        def __getitem__(self, i):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            try:
                time.sleep(0.05)
                return super().__getitem__(i)
            finally:
                with lock:
                    active[0] -= 1
    data = D.IterableData(Slow(x, np.arange(64.0)[:, None], batch_size=8, workers=2))
    got = [int(b[1][0, 0]) for b in data.epoch()]
    assert got == list(range(0, 64, 8)) and peak[0] == 2


def test_fit_pydataset_with_two_workers_trains():
    x, y = _xy()
    h = _model().fit(Batches(x, y, workers=2, max_queue_size=4), epochs=4, verbose=0)
    _trains(h)


def test_process_workers_fetch_in_other_processes():
    x, y = _xy(48)

    class Pids(Batches):
        def __getitem__(self, i):
            bx, by = super().__getitem__(i)
            return bx, by, np.full((len(bx),), os.getpid(), "float64")
    data = D.IterableData(Pids(x, y, workers=2, use_multiprocessing=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # jax's note on fork
        batches = list(data.epoch())
    assert len(batches) == 3
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    assert {int(b[2][0]) for b in batches[1:]} - {os.getpid()}


def test_worker_errors_reach_the_user_with_the_workers_traceback():
    x, y = _xy(64)
    for kwargs in ({}, {"workers": 2}):
        data = D.IterableData(Batches(x, y, fail_at=3, **kwargs))
        with pytest.raises(KeyError, match="no record for batch 3") as info:
            list(data.epoch())
        assert "raised while getting batch 3 of Batches" in str(info.value.__notes__)
        assert "raise_from_inside_worker" in "".join(traceback.format_tb(info.tb))
    data = D.IterableData(Batches(x, y, fail_at=3, workers=2, use_multiprocessing=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(KeyError, match="no record for batch 3") as info:
            list(data.epoch())
    assert "raise_from_inside_worker" in str(info.value.__cause__)  # the worker's traceback
    with pytest.raises(KeyError, match="no record"):
        _model().fit(Batches(x, y, fail_at=2, workers=2), epochs=1, verbose=0)


def test_a_crashed_worker_process_raises_instead_of_hanging():
    x, y = _xy(64)
    data = D.IterableData(Crashes(x, y, workers=2, use_multiprocessing=True))
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match="worker process of Crashes died while getting "
                                               "batch 2"):
            list(data.epoch())
    assert time.time() - t < 60


def test_pydataset_bad_batches():
    x, y = _xy(32)

    class Four(Batches):
        def __getitem__(self, i):
            return x[:4], y[:4], y[:4, 0], y[:4]
    with pytest.raises(ValueError, match="PyDataset.__getitem__\\(\\) must return a tuple"):
        D.IterableData(Four(x, y))

    class Empty(Batches):
        def __len__(self):
            return 0
    with pytest.raises(ValueError, match="PyDataset to a Keras model, it must yield at least"):
        D.IterableData(Empty(x, y))
    with pytest.raises(ValueError, match="should not be passed"):
        _model().fit(Batches(x, y), y, verbose=0)


# ---------------------------------------------------------------------------- generators
def test_generator_trains_like_arrays():
    x, y = _xy()

    def gen():
        for _ in range(4):
            for i in range(0, 96, 16):
                yield x[i:i + 16], y[i:i + 16]
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    h = a.fit(gen(), steps_per_epoch=6, epochs=4, verbose=0)
    b.fit(x, y, batch_size=16, shuffle=False, epochs=4, verbose=0)
    _trains(h)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, atol=1e-6)


# ---------------------------------------------------------------------------- duck-typed
class _FakeTensor:
    def __init__(self, a):
        self.a = a

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


def _fake_loader_class():
    cls = type("DataLoader", (), {
        "__init__": lambda self, batches: setattr(self, "batches", batches),
        "__iter__": lambda self: iter([(_FakeTensor(a), _FakeTensor(b))
                                       for a, b in self.batches]),
        "__len__": lambda self: len(self.batches)})
    cls.__module__ = "torch.utils.data.dataloader"
    return cls


def test_torch_style_dataloader_is_converted_to_numpy():
    x, y = _xy(32)
    loader = _fake_loader_class()([(x[:16], y[:16]), (x[16:], y[16:])])
    assert data_sources.adapt_kind(loader) == "torch DataLoader"
    data = D.IterableData(loader)
    batches = list(data.epoch())
    assert data.num_batches == 2 and isinstance(batches[1][0], np.ndarray)
    np.testing.assert_array_equal(batches[1][1], y[16:])


def test_real_torch_dataloader():
    torch = pytest.importorskip("torch")
    x, y = _xy()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
    _trains(_model().fit(loader, epochs=4, verbose=0))


def test_real_grain_dataset():
    grain = pytest.importorskip("grain")
    x, y = _xy()
    ds = grain.MapDataset.source([(x[i:i + 16], y[i:i + 16]) for i in range(0, 96, 16)])
    _trains(_model().fit(ds, epochs=4, verbose=0))


def test_fit_shuffle_reorders_a_py_dataset_s_batches():
    import jkeras

    class Recording(jkeras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.seen = []

        def __len__(self):
            return 12

        def __getitem__(self, i):
            self.seen.append(i)
            x = np.full((4, 3), i, np.float32)
            return x, x[:, :1]
    for shuffle in (False, True):
        jkeras.utils.set_random_seed(3)
        data = Recording()
        model = jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(data, epochs=1, verbose=0, shuffle=shuffle)
        order = [i for i in data.seen]
        assert sorted(set(order)) == list(range(12))
        assert (order[-12:] == sorted(order[-12:])) == (not shuffle)

"""timeseries_dataset_from_array and split_dataset against keras.utils."""
import numpy as np
import pytest

from jkeras import utils


def _flat(batches):
    return [np.concatenate([b[i] for b in batches]) for i in range(len(batches[0]))] \
        if isinstance(batches[0], tuple) else np.concatenate(batches)


@pytest.mark.parametrize("kwargs", [
    dict(sequence_length=5), dict(sequence_length=4, sequence_stride=3, batch_size=4),
    dict(sequence_length=3, sampling_rate=2, batch_size=5),
    dict(sequence_length=3, sequence_stride=2, sampling_rate=3, start_index=4, end_index=40,
         batch_size=7),
    dict(sequence_length=6, batch_size=None)])
@pytest.mark.parametrize("with_targets", [False, True])
def test_timeseries_matches_keras(tf, kwargs, with_targets):
    data = np.arange(100 * 2, dtype="float32").reshape(100, 2)
    targets = np.arange(100) * 10 if with_targets else None
    ref = list(tf.keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
               .as_numpy_iterator())
    ds = utils.timeseries_dataset_from_array(data, targets, **kwargs)
    got = list(ds)
    assert len(got) == len(ref) == len(ds)
    for g, r in zip(got, ref):
        for a, b in zip(g if with_targets else [g], r if with_targets else [r]):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_timeseries_shuffle_covers_the_same_windows(tf):
    data = np.arange(60, dtype="float32")[:, None]
    kw = dict(sequence_length=4, sequence_stride=2, batch_size=8, shuffle=True, seed=3)
    ref = list(tf.keras.utils.timeseries_dataset_from_array(data, np.arange(60), **kw)
               .as_numpy_iterator())
    ds = utils.timeseries_dataset_from_array(data, np.arange(60), **kw)
    first, second = list(ds), list(ds)
    key = lambda batches: sorted(map(tuple, np.concatenate([b[0][..., 0] for b in batches])))
    assert key(first) == key(ref) == key(second)
    assert not np.array_equal(first[0][1], second[0][1])  # a new order each pass
    x, y = first[0]
    np.testing.assert_array_equal(x[:, 0, 0], y)  # targets stay aligned with their windows


def test_timeseries_trains_a_model():
    import jkeras
    t = np.linspace(0, 20, 400, dtype="float32")
    series = np.sin(t)[:, None]
    ds = utils.timeseries_dataset_from_array(series[:-8], series[8:, 0], sequence_length=8,
                                             batch_size=32)
    m = jkeras.Sequential([jkeras.Input((8, 1)), jkeras.layers.Flatten(),
                           jkeras.layers.Dense(1)])
    m.compile(jkeras.optimizers.SGD(0.05), "mse")
    loss = m.fit(ds, epochs=5, verbose=0).history["loss"]
    assert loss[-1] < 0.5 * loss[0]


def test_timeseries_errors(tf):
    data = np.zeros((10, 1))
    for kw, msg in ((dict(start_index=-1), "`start_index` must be 0 or greater"),
                    (dict(start_index=3, end_index=2), "`end_index` must be higher than"),
                    (dict(end_index=10), "`end_index` must be lower than the length"),
                    (dict(sampling_rate=0), "`sampling_rate` must be higher than 0"),
                    (dict(sequence_stride=10), "`sequence_stride` must be lower than")):
        with pytest.raises(ValueError, match=msg):
            tf.keras.utils.timeseries_dataset_from_array(data, None, 3, **kw)
        with pytest.raises(ValueError, match=msg):
            utils.timeseries_dataset_from_array(data, None, 3, **kw)


@pytest.mark.parametrize("left,right", [(0.8, None), (None, 3), (4, 0.25), (0.5, 0.3)])
def test_split_dataset_matches_keras(tf, left, right):
    x = np.arange(20 * 3, dtype="float32").reshape(20, 3)
    y = np.arange(20)
    for data in ((x, y), x):
        ref = tf.keras.utils.split_dataset(data, left, right)
        got = utils.split_dataset(data, left, right)
        for g, r in zip(got, ref):
            r = list(r.as_numpy_iterator())
            g = list(g)
            assert len(g) == len(r)
            for gs, rs in zip(g, r):
                for a, b in zip(gs if isinstance(data, tuple) else [gs],
                                rs if isinstance(data, tuple) else [rs]):
                    np.testing.assert_array_equal(a, b)


def test_split_dataset_shuffle_seed_and_batched_tf_dataset(tf):
    x = np.arange(30, dtype="float32")[:, None]
    ref = tf.keras.utils.split_dataset(x, left_size=0.6, shuffle=True, seed=7)
    got = utils.split_dataset(x, left_size=0.6, shuffle=True, seed=7)
    for g, r in zip(got, ref):
        np.testing.assert_array_equal(np.stack(list(g)), np.stack(list(r.as_numpy_iterator())))
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(30))).batch(4)
    ref = tf.keras.utils.split_dataset(ds, right_size=10)
    got = utils.split_dataset(ds, right_size=10)
    for g, r in zip(got, ref):
        r = list(r.as_numpy_iterator())
        assert len(g) == len(r) and g.batch_size == 4
        for gb, rb in zip(g, r):
            np.testing.assert_array_equal(gb[0], rb[0])
            np.testing.assert_array_equal(gb[1], rb[1])
    left, _ = utils.split_dataset((x, np.arange(30)), 20)
    assert [b[0].shape[0] for b in left.batch(8)] == [8, 8, 4]


def test_split_dataset_errors(tf):
    x = np.zeros((10, 2))
    for kw, exc, msg in ((dict(), ValueError, "At least one of the `left_size`"),
                         (dict(left_size=10), ValueError, "`left_size` should be either"),
                         (dict(left_size=0.7, right_size=0.5), ValueError, "greater than 1"),
                         (dict(left_size="a"), TypeError, "Invalid `left_size` Type")):
        with pytest.raises(exc, match=msg):
            tf.keras.utils.split_dataset(x, **kw)
        with pytest.raises(exc, match=msg):
            utils.split_dataset(x, **kw)
    with pytest.raises(TypeError, match="The `dataset` argument must be"):
        utils.split_dataset("abc", 0.5)

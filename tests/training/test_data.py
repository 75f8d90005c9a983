"""Input normalisation, validation split, class weights, batching, iterables."""
import numpy as np
import pytest

from jkeras.training import data as D


def test_validation_split_takes_the_last_fraction_with_keras_rounding():
    x = np.arange(10)[:, None].astype("float32")
    y = np.arange(10)
    (tx, ty, tsw), (vx, vy, vsw) = D.train_validation_split(x, y, None, 0.25)
    # Keras 3: split_at = floor(10 * 0.75) = 7
    assert ty.tolist() == list(range(7)) and vy.tolist() == [7, 8, 9]
    assert tsw is None and vsw is None
    (tx, ty, _), (vx, vy, _) = D.train_validation_split(x, y, None, 0.33)
    assert len(ty) == 6 and vy.tolist() == [6, 7, 8, 9]  # floor(6.7) = 6


def test_validation_split_nested_structures():
    x = {"a": np.arange(8.0)[:, None], "b": np.ones((8, 2))}
    y = [np.arange(8), np.zeros((8, 1))]
    sw = np.linspace(0, 1, 8)
    (tx, ty, tsw), (vx, vy, vsw) = D.train_validation_split(x, y, sw, 0.5)
    assert tx["a"].shape == (4, 1) and vx["b"].shape == (4, 2)
    assert ty[0].tolist() == [0, 1, 2, 3] and vy[0].tolist() == [4, 5, 6, 7]
    np.testing.assert_allclose(vsw, sw[4:])


def test_validation_split_too_small():
    with pytest.raises(ValueError, match="not sufficient to split"):
        D.train_validation_split(np.ones((1, 2)), np.ones(1), None, 0.5)
    with pytest.raises(ValueError, match="not sufficient to split"):
        D.train_validation_split(np.ones((3, 2)), np.ones(3), None, 1e-20)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, "x", None])
def test_check_validation_split(bad):
    with pytest.raises(ValueError, match="validation_split"):
        D.check_validation_split(bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "32", True])
def test_check_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        D.check_batch_size(bad)
    assert D.check_batch_size(None) is None and D.check_batch_size(np.int64(8)) == 8


def test_cardinality_error_names_both_sizes():
    with pytest.raises(ValueError, match=r"(?s)cardinality.*'x' sizes: 10.*'y' sizes: 9"):
        D.check_cardinality(np.ones((10, 2)), np.ones(9), None)
    with pytest.raises(ValueError, match="non-empty"):
        D.check_cardinality(np.ones((0, 2)), np.ones(0), None)


def test_class_weight_to_sample_weights():
    cw = {0: 1.0, 1: 3.0}
    np.testing.assert_allclose(D.class_weight_to_sample_weights(np.array([0, 1, 1, 2]), cw),
                               [1, 3, 3, 1])
    np.testing.assert_allclose(
        D.class_weight_to_sample_weights(np.eye(2)[[1, 0, 1]], cw), [3, 1, 3])  # one-hot
    np.testing.assert_allclose(
        D.class_weight_to_sample_weights(np.array([[1.0], [0.0]]), cw), [3, 1])  # (n, 1)
    with pytest.raises(ValueError, match="class_weight` and `sample_weight"):
        D.apply_class_weight(np.zeros(2), np.ones(2), cw)
    with pytest.raises(ValueError, match="single output"):
        D.apply_class_weight([np.zeros(2), np.zeros(2)], None, cw)


def test_array_data_batch_layout():
    d = D.ArrayData(np.ones((100, 3)), np.ones(100), None, batch_size=32)
    assert (d.num_full, d.partial, d.num_batches) == (3, 4, 4)
    d = D.ArrayData(np.ones((64, 3)), np.ones(64), None)  # default batch size 32
    assert (d.batch_size, d.num_batches, d.partial) == (32, 2, 0)
    d = D.ArrayData(np.ones((10, 3)), None, None, steps=3)  # Keras: ceil(10 / 3)
    assert d.batch_size == 4 and d.num_batches == 3
    d = D.ArrayData(np.ones((5, 3)), np.ones(5), None, batch_size=50)
    assert (d.num_full, d.partial) == (0, 5)
    x, y, sw = d.first_batch_host()
    assert x.shape == (5, 3)


def test_array_data_goes_to_device_once_with_float32_weights():
    import jax
    d = D.ArrayData([np.ones((6, 2)), np.zeros((6, 1))], np.ones(6), np.arange(6))
    x, y, sw = d.device
    assert isinstance(x, list) and isinstance(x[0], jax.Array)
    assert sw.dtype == np.float32


def test_is_batch_iterable():
    assert D.is_batch_iterable(iter([(1, 2)]))
    assert D.is_batch_iterable(x for x in [])
    assert not D.is_batch_iterable(np.ones(3))
    assert not D.is_batch_iterable([np.ones(3), np.ones(3)])
    assert not D.is_batch_iterable({"a": np.ones(3)})

    class PyDataset:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.ones((2, 1)), np.ones(2)
    assert D.is_batch_iterable(PyDataset())
    data = D.IterableData(PyDataset())
    assert data.num_batches == 2 and len(list(data.epoch())) == 2 and len(list(data.epoch())) == 2


def _gen(n, bs=4):
    for i in range(n):
        yield np.full((bs, 2), i, "float32"), np.full((bs,), i)


def test_generator_is_consumed_across_epochs():
    data = D.IterableData(_gen(5), steps=2)
    e1 = [b[1][0] for b in data.epoch()]
    e2 = [b[1][0] for b in data.epoch()]
    assert e1 == [0, 1] and e2 == [2, 3]
    with pytest.warns(UserWarning, match="ran out of data"):
        e3 = [b[1][0] for b in data.epoch()]
    assert e3 == [4] and data.exhausted


def test_reiterable_restarts_each_epoch_and_normalises():
    batches = [(np.ones((3, 2)), np.zeros(3), np.ones(3)), (np.ones((3, 2)),)]
    data = D.IterableData(batches)
    assert not data.one_shot
    first = list(data.epoch())
    assert len(first) == 2 and first[1][1] is None and len(list(data.epoch())) == 2
    with pytest.raises(ValueError, match="at least one batch"):
        D.IterableData(iter([]))
    with pytest.raises(ValueError, match="cardinality"):
        D.IterableData([(np.ones((3, 2)), np.zeros(4))])


def test_unpack_validation_data():
    assert D.unpack_validation_data((1, 2)) == (1, 2, None)
    assert D.unpack_validation_data([1, 2, 3]) == (1, 2, 3)
    for bad in [(1,), (1, 2, 3, 4), np.ones(3), "x"]:
        with pytest.raises(ValueError, match="validation_data"):
            D.unpack_validation_data(bad)


def test_stack_and_signature():
    a = (np.ones((2, 3)), np.zeros(2), None)
    b = (np.ones((2, 3)), np.ones(2), None)
    s = D.stack_batches([a, b])
    assert s[0].shape == (2, 2, 3) and s[2] is None
    assert D.same_signature(a, b) and not D.same_signature(a, (np.ones((1, 3)), np.zeros(1), None))

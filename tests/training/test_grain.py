"""fit / evaluate / predict from Grain (`pip install jkeras[grain]`): `MapDataset`,
`IterDataset` and `DataLoader`, recognised without importing Grain; unshuffled, the same
weights as the fit from arrays."""
import warnings

import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.training import data as D
from jkeras.training import data_sources

grain = pytest.importorskip("grain", reason="Grain is an optional extra: pip install grain")


def _xy(n=96, d=4):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d)).astype("float32")
    return x, (x @ rng.standard_normal((d, 1)) + 0.3).astype("float32")


def _records(x, y):
    return [(x[i], y[i]) for i in range(len(x))]


def _model():
    """A small functional regressor (SGD), seeded."""
    jkeras.utils.set_random_seed(0)
    inputs = jkeras.Input((4,))
    model = jkeras.Model(inputs, layers.Dense(1)(layers.Dense(8, activation="tanh")(inputs)))
    model.compile(jkeras.optimizers.SGD(0.05), "mse")
    return model


def _map_dataset(x, y):
    return grain.MapDataset.source(_records(x, y)).batch(16)


def _loader(x, y, shuffle=False, num_epochs=1):
    return grain.DataLoader(
        data_source=_records(x, y),
        sampler=grain.samplers.IndexSampler(num_records=len(x), shuffle=shuffle,
                                            num_epochs=num_epochs, seed=1),
        operations=[grain.transforms.Batch(16)], worker_count=0)


SOURCES = {
    "MapDataset": _map_dataset,
    "IterDataset": lambda x, y: _map_dataset(x, y).to_iter_dataset(),
    "DataLoader": _loader,
}


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_unshuffled_grain_fit_equals_fit_from_arrays(kind):
    x, y = _xy()
    source = SOURCES[kind](x, y)
    assert data_sources.adapt_kind(source) == "grain dataset"
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(source, epochs=4, verbose=0)
    hb = b.fit(x, y, batch_size=16, shuffle=False, epochs=4, verbose=0)
    assert ha.history["loss"][-1] < 0.7 * ha.history["loss"][0]
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, atol=1e-6)
    np.testing.assert_allclose(a.evaluate(source, verbose=0),
                               b.evaluate(x, y, batch_size=16, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(a.predict(source, verbose=0), b.predict(x, verbose=0),
                               atol=1e-6)


def test_batch_count_of_each_kind():
    x, y = _xy()
    assert D.IterableData(_map_dataset(x, y)).num_batches == 6
    assert D.IterableData(_map_dataset(x, y).repeat()).num_batches is None  # infinite
    assert D.IterableData(_map_dataset(x, y).to_iter_dataset()).num_batches is None
    data = D.IterableData(_loader(x, y))
    assert data.num_batches is None
    batches = list(data.epoch())
    assert data.num_batches == 6 and isinstance(batches[0][0], np.ndarray)


def test_shuffled_and_repeated_grain_pipelines_train():
    x, y = _xy()
    shuffled = grain.MapDataset.source(_records(x, y)).shuffle(seed=3).batch(16)
    assert _model().fit(shuffled, epochs=4, verbose=0).history["loss"][-1] < 0.7 * \
        _model().evaluate(x, y, verbose=0)
    forever = _map_dataset(x, y).repeat()
    h = _model().fit(forever, steps_per_epoch=6, epochs=4, verbose=0)
    assert len(h.history["loss"]) == 4 and h.history["loss"][-1] < 0.7 * h.history["loss"][0]
    loader = _loader(x, y, shuffle=True, num_epochs=None)  # an endless shuffled loader
    h = _model().fit(loader, steps_per_epoch=6, epochs=4, verbose=0,
                     validation_data=_map_dataset(x, y))
    assert h.history["val_loss"][-1] < 0.7 * h.history["val_loss"][0]


def test_grain_dict_elements_and_validation_split_rejected():
    x, y = _xy()
    ds = grain.MapDataset.source(
        [({"a": x[i, :2], "b": x[i, 2:]}, y[i]) for i in range(len(x))]).batch(16)
    a, b = jkeras.Input((2,), name="a"), jkeras.Input((2,), name="b")
    m = jkeras.Model({"a": a, "b": b}, layers.Dense(1)(layers.Concatenate()([a, b])))
    m.compile("sgd", "mse")
    assert len(m.fit(ds, epochs=2, verbose=0).history["loss"]) == 2
    assert m.predict(ds, verbose=0).shape == (96, 1)
    with pytest.raises(ValueError, match="`validation_split` is only supported for Tensors"):
        m.fit(ds, validation_split=0.2, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(ds.to_iter_dataset(), steps_per_epoch=8, epochs=1, verbose=0)
    assert any("ran out of data" in str(w.message) for w in caught)

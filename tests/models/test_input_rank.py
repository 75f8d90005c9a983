"""Keras 3's input rank adjustment: a value one rank short of an input whose last dimension is 1
gets that axis; one with an extra trailing axis of 1 loses it (as tf.keras, same outputs)."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def twin(lib, kind, shape):
    if kind == "sequential":
        return lib.Sequential([lib.layers.Dense(2, input_shape=shape)])
    inp = lib.Input(shape=shape)
    return lib.Model(inp, lib.layers.Dense(2)(inp))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("declared,given", [((1,), (5,)), ((3,), (5, 3, 1))])
def test_rank_adjusted_as_keras(tf, kind, declared, given):
    x = np.random.default_rng(0).normal(size=given).astype(np.float32)
    ours, theirs = twin(jkeras, kind, declared), twin(tf.keras, kind, declared)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-6, atol=1e-6)


def test_fit_on_a_1d_series_through_normalization_axis_none():
    pd = pytest.importorskip("pandas")
    series = pd.Series(np.linspace(0.0, 10.0, 40, dtype=np.float32))
    target = pd.Series(3.0 * series.to_numpy() + 1.0)
    norm = L.Normalization(input_shape=[1], axis=None)
    norm.adapt(series.to_numpy())
    model = jkeras.Sequential([norm, L.Dense(1)])
    model.compile(optimizer=jkeras.optimizers.Adam(0.1), loss="mean_absolute_error")
    history = model.fit(series, target, epochs=30, verbose=0, validation_split=0.2)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_other_rank_mismatches_still_raise():
    model = twin(jkeras, "functional", (3,))
    with pytest.raises(ValueError, match="expected shape"):
        model(np.zeros((2, 3, 2), np.float32))

"""`model.save("m.keras")` -> `jkeras.models.load_model`: same outputs, weights and training."""
import json
import os
import zipfile

import numpy as np
import pytest

import jkeras
from jkeras import layers


def _x(n=8, d=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype("float32")


def _assert_same_model(a, b, x):
    assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_allclose(b(x), a(x), rtol=1e-6, atol=1e-7)


def test_archive_members_and_metadata(tmp_path):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3)])
    path = tmp_path / "m.keras"
    m.save(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        metadata = json.loads(zf.read("metadata.json"))
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["compile_config"] == {} and config["build_config"]["input_shape"] == [None, 4]
    assert metadata["keras_version"].startswith("3.") and "@" in metadata["date_saved"]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temp file left


def test_sequential_round_trip(tmp_path):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(5, activation="relu"),
                           layers.Dropout(0.3), layers.Dense(2, activation="softmax")])
    m.save(tmp_path / "s.keras")
    loaded = jkeras.models.load_model(tmp_path / "s.keras")
    assert isinstance(loaded, jkeras.Sequential) and not loaded.compiled
    assert [lay.name for lay in loaded.layers] == [lay.name for lay in m.layers]
    _assert_same_model(m, loaded, _x())


def test_functional_multi_io_shared_and_nested_round_trip(tmp_path):
    a, b = jkeras.Input((4,), name="a"), jkeras.Input((2,), name="b")
    shared = layers.Dense(2, name="shared")
    x = layers.Concatenate()([shared(layers.Dense(2)(a)), shared(b)])
    inner_seq = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3)], name="inner_seq")
    i = jkeras.Input((4,))
    inner_fn = jkeras.Model(i, layers.Dense(5, activation="tanh")(i), name="inner_fn")
    m = jkeras.Model([a, b], [inner_seq(x), inner_fn(x), layers.Dense(1)(x)])
    m.save(tmp_path / "f.keras")
    loaded = jkeras.models.load_model(tmp_path / "f.keras")
    feed = [_x(6, 4), _x(6, 2, seed=1)]
    for got, want in zip(loaded(feed), m(feed)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    for wa, wb in zip(m.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(wa, wb)


@jkeras.saving.register_keras_serializable(package="archive_test")
class Residual(jkeras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu")
        self.out = layers.Dense(units)

    def call(self, x):
        return x + self.out(self.hidden(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_registered_subclassed_model_round_trip(tmp_path):
    m = Residual(units=4, name="res")
    x = _x()
    m(x)
    m.save(tmp_path / "r.keras")
    loaded = jkeras.models.load_model(tmp_path / "r.keras")
    assert isinstance(loaded, Residual) and loaded.units == 4 and loaded.name == "res"
    _assert_same_model(m, loaded, x)


def test_batchnorm_and_normalization_state_round_trip(tmp_path):
    x = _x(32)
    norm = layers.Normalization()
    norm.adapt(x)
    m = jkeras.Sequential([jkeras.Input((4,)), norm, layers.Dense(3),
                           layers.BatchNormalization(), layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)  # moves the BN statistics
    assert not np.allclose(m.layers[2].moving_mean.value, 0)
    m.save(tmp_path / "bn.keras")
    loaded = jkeras.models.load_model(tmp_path / "bn.keras")
    _assert_same_model(m, loaded, x)
    for got, want in zip(loaded.layers[0].get_weights(), norm.get_weights()):  # mean, var, count
        np.testing.assert_array_equal(got, want)


def test_recurrent_round_trip(tmp_path):
    seq = np.random.default_rng(2).normal(size=(4, 5, 3)).astype("float32")
    m = jkeras.Sequential([jkeras.Input((5, 3)), layers.LSTM(4, return_sequences=True),
                           layers.Bidirectional(layers.GRU(3)), layers.Dense(2)])
    m.save(tmp_path / "rnn.keras")
    loaded = jkeras.models.load_model(tmp_path / "rnn.keras")
    _assert_same_model(m, loaded, seq)


def _regression(n=64):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.arange(1, 5, dtype="float32")[:, None] + 0.5).astype("float32")


def _compiled_model():
    jkeras.utils.set_random_seed(7)
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(8, activation="relu"),
                           layers.BatchNormalization(), layers.Dense(1)])
    m.compile(optimizer=jkeras.optimizers.Adam(learning_rate=0.01), loss="mse",
              metrics=["mae"])
    return m


def test_compiled_model_resumes_training_exactly(tmp_path):
    x, y = _regression()
    straight = _compiled_model()
    h4 = straight.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)

    first = _compiled_model()
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "c.keras")
    resumed = jkeras.models.load_model(tmp_path / "c.keras")
    assert resumed.compiled and isinstance(resumed.optimizer, jkeras.optimizers.Adam)
    assert resumed.optimizer.learning_rate == pytest.approx(0.01)
    assert int(resumed.optimizer.iterations) == 8
    h2 = resumed.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(h2.history["loss"], h4.history["loss"][2:], rtol=1e-6)
    np.testing.assert_allclose(h2.history["mae"], h4.history["mae"][2:], rtol=1e-6)


def test_load_without_compile(tmp_path):
    m = _compiled_model()
    m.fit(*_regression(16), epochs=1, verbose=0)
    m.save(tmp_path / "c.keras")
    loaded = jkeras.models.load_model(tmp_path / "c.keras", compile=False)
    assert not loaded.compiled
    _assert_same_model(m, loaded, _x())


def test_unzipped_directory_round_trip(tmp_path):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(2)])
    m.save(tmp_path / "dir_model", zipped=False)
    assert sorted(os.listdir(tmp_path / "dir_model")) == [
        "config.json", "metadata.json", "model.weights.h5"]
    m.save(tmp_path / "dir_model", zipped=False)  # overwriting swaps the directory
    _assert_same_model(m, jkeras.models.load_model(tmp_path / "dir_model"), _x())


def test_save_model_and_load_model_functions(tmp_path):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(2)])
    jkeras.saving.save_model(m, tmp_path / "f.keras")
    _assert_same_model(m, jkeras.saving.load_model(str(tmp_path / "f.keras")), _x())
    jkeras.models.save_model(m, tmp_path / "g.keras")
    assert (tmp_path / "g.keras").exists()


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(2)])
    path = tmp_path / "m.keras"
    m.save(path)
    before = path.read_bytes()
    from jkeras.saving import archive

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(archive.zipfile.ZipFile, "writestr", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        m.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_overwrite_false_refuses_existing_file(tmp_path):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(2)])
    m.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="overwrite=False"):
        m.save(tmp_path / "m.keras", overwrite=False)


def test_optax_compiled_model_saves_uncompiled_with_a_warning(tmp_path):
    import optax
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(1)])
    m.compile(optax.sgd(0.1), "mse")
    m.fit(_x(), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="saved uncompiled"):
        m.save(tmp_path / "o.keras")
    loaded = jkeras.models.load_model(tmp_path / "o.keras")
    assert not loaded.compiled
    _assert_same_model(m, loaded, _x())

"""The TensorBoard callback writes real event files (through tensorboardX) that TensorBoard's
own reader (EventAccumulator) reads back with the logged values; tags and directories as
tf.keras's callback writes them."""
import os

import numpy as np
import pytest

import jkeras

tensorboardX = pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _read(path):
    acc = event_accumulator.EventAccumulator(
        path, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0,
                             event_accumulator.TENSORS: 0, event_accumulator.IMAGES: 0})
    acc.Reload()
    return acc


def _scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def _model(lr=0.01):
    L = jkeras.layers
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(3, activation="relu", name="hidden"),
                               L.Dense(1, name="out")])
    model.compile(optimizer=jkeras.optimizers.SGD(lr), loss="mse", metrics=["mae"],
                  steps_per_execution=1)
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype(np.float32), rng.normal(size=(n, 1)).astype(np.float32)


def test_epoch_scalars_and_validation_match_history(tmp_path):
    x, y = _data()
    model = _model()
    cb = jkeras.callbacks.TensorBoard(log_dir=str(tmp_path))
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0,
                        shuffle=False, callbacks=[cb])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = _read(str(tmp_path / "train")), _read(str(tmp_path / "validation"))
    for name in ("loss", "mae"):
        got = _scalars(train, f"epoch_{name}")
        assert [s for s, _ in got] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in got], history.history[name], rtol=1e-6)
        got = _scalars(val, f"epoch_{name}")
        np.testing.assert_allclose([v for _, v in got], history.history[f"val_{name}"],
                                   rtol=1e-6)
    np.testing.assert_allclose([v for _, v in _scalars(train, "epoch_learning_rate")], 0.01,
                               rtol=1e-6)
    # Keras also logs each evaluation against the optimizer step (3 steps per epoch here).
    assert [s for s, _ in _scalars(val, "evaluation_loss_vs_iterations")] == [3, 6, 9]
    # write_graph: the model's config as the "graph_keras_model" summary.
    keras_tags = train.Tags()["tensors"]
    assert "keras" in keras_tags
    text = train.Tensors("keras")[0].tensor_proto.string_val[0].decode()
    assert '"Sequential"' in text and "hidden" in text
    assert "batch_loss" not in train.Tags()["scalars"]  # update_freq="epoch"


@pytest.mark.parametrize("update_freq, steps", [("batch", [1, 2, 3, 4, 5, 6, 7, 8]),
                                                (3, [3, 6])])
def test_batch_scalars_every_update_freq_steps(tmp_path, update_freq, steps):
    x, y = _data()
    model = _model()
    cb = jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), update_freq=update_freq,
                                      write_graph=False, write_steps_per_second=True)
    seen = []
    record = jkeras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[record, cb])
    train = _read(str(tmp_path / "train"))
    got = _scalars(train, "batch_loss")
    assert [s for s, _ in got] == steps
    np.testing.assert_allclose([v for _, v in got], [seen[s - 1] for s in steps], rtol=1e-6)
    assert [s for s, _ in _scalars(train, "batch_steps_per_second")] == steps
    assert all(v > 0 for _, v in _scalars(train, "epoch_steps_per_second"))


def test_histograms_and_images_every_histogram_freq(tmp_path):
    x, y = _data()
    model = _model()
    cb = jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=2,
                                      write_images=True, write_graph=False)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[cb])
    train = _read(str(tmp_path / "train"))
    tags = train.Tags()
    assert set(tags["histograms"]) == {"hidden/kernel/histogram", "hidden/bias/histogram",
                                       "out/kernel/histogram", "out/bias/histogram"}
    events = train.Histograms("out/kernel/histogram")
    assert [e.step for e in events] == [0, 2]
    kernel = model.get_layer("out").kernel.numpy()
    last = events[-1].histogram_value
    assert last.num == kernel.size
    np.testing.assert_allclose([last.min, last.max, last.sum],
                               [kernel.min(), kernel.max(), kernel.sum()], rtol=1e-5)
    assert "hidden/kernel/image" in tags["images"]


def test_arguments_are_checked_with_keras_wording(tmp_path):
    with pytest.raises(ValueError, match="profile_batch must be a non-negative integer"):
        jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), profile_batch=(5, 2))
    with pytest.raises(ValueError, match="`update_freq` must be"):
        jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), update_freq="sometimes")


def test_embeddings_projector_config_and_checkpoints(tmp_path):
    L = jkeras.layers
    model = jkeras.Sequential([jkeras.Input((3,), dtype="int32"),
                               L.Embedding(10, 2, name="emb"), L.Flatten(), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    cb = jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), embeddings_freq=1,
                                      embeddings_metadata={"emb": "meta.tsv"},
                                      write_graph=False)
    x = np.random.default_rng(0).integers(0, 10, size=(8, 3)).astype(np.int32)
    model.fit(x, np.zeros((8, 1), np.float32), epochs=2, verbose=0, callbacks=[cb])
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'metadata_path: "meta.tsv"' in config and "tensor_name" in config
    assert (tmp_path / "train" / "keras_embedding.ckpt-1.weights.h5").exists()
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names"):
        jkeras.callbacks.TensorBoard(log_dir=str(tmp_path), embeddings_freq=1,
                                     embeddings_metadata={"nope": "m.tsv"}).set_model(model)


def test_missing_tensorboardx_names_the_package(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # makes the import fail
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        jkeras.callbacks.TensorBoard(log_dir=str(tmp_path))

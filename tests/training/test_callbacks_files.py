"""CSVLogger and ModelCheckpoint: file contents, names, best-only logic, save frequency."""

import os

import numpy as np
import pytest

from jkeras.training.callbacks import CallbackList, CSVLogger, ModelCheckpoint


class TinyModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros((2, 2), np.float32), np.zeros(2, np.float32)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


class SavingModel(TinyModel):
    """A test double: records each save and writes its weights as `.npz` under the name asked
    (the real Keras files are tested in test_checkpoint_keras_files.py)."""

    def __init__(self):
        super().__init__()
        self.saved = []

    def _write(self, kind, path):
        self.saved.append((kind, os.fspath(path)))
        with open(path, "wb") as f:
            np.savez(f, *self.weights)

    def save_weights(self, path):
        self._write("weights", path)

    def save(self, path):
        self._write("model", path)


def fit(callbacks, epoch_logs, model=None, steps=1, chunk=1):
    """Keras fit's hook order; epoch e sets every weight to e."""
    model = model or SavingModel()
    cbs = CallbackList(callbacks, add_history=True, model=model, verbose=0,
                       epochs=len(epoch_logs), steps=steps)
    cbs.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        model.weights = [np.full_like(w, epoch) for w in model.weights]
        for begin in range(0, steps, chunk):
            cbs.on_train_batch_begin(begin)
            cbs.on_train_batch_end(min(begin + chunk, steps) - 1, {"loss": 1.0})
        cbs.on_epoch_end(epoch, dict(logs))
    cbs.on_train_end()
    return model


# ---------------------------------------------------------------- CSVLogger


def test_csv_header_sorted_and_rows(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(path)], [
        {"loss": 0.5, "accuracy": 0.25, "val_loss": 0.75, "val_accuracy": 0.125},
        {"loss": 0.25, "accuracy": 0.5, "val_loss": 0.5, "val_accuracy": 0.25},
    ])
    assert path.read_bytes().decode() == (
        "epoch,accuracy,loss,val_accuracy,val_loss\r\n"
        "0,0.25,0.5,0.125,0.75\r\n"
        "1,0.5,0.25,0.25,0.5\r\n"
    )


def test_csv_adds_val_columns_when_first_epoch_has_none(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(str(path), separator=";")], [{"loss": 0.5}, {"loss": 0.25, "val_loss": 0.3}])
    assert path.read_text() == "epoch;loss;val_loss\n0;0.5;NA\n1;0.25;0.3\n"


def test_csv_append_writes_header_once(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(path, append=True)], [{"loss": 0.5}])
    fit([CSVLogger(path, append=True)], [{"loss": 0.4}])
    assert path.read_text() == "epoch,loss,val_loss\n0,0.5,NA\n0,0.4,NA\n"
    fit([CSVLogger(path)], [{"loss": 0.3}])  # not appending: overwritten
    assert path.read_text() == "epoch,loss,val_loss\n0,0.3,NA\n"


def test_csv_sequence_values_and_file_closed(tmp_path):
    path = tmp_path / "log.csv"
    cb = CSVLogger(path)
    fit([cb], [{"loss": 0.5, "per_class": np.array([0.25, 0.5]), "val_loss": 1.0}])
    assert path.read_text().splitlines()[1] == '0,0.5,"""[0.25, 0.5]""",1.0'
    assert cb.csv_file.closed


# ---------------------------------------------------------------- ModelCheckpoint


def test_checkpoint_every_epoch_names(tmp_path):
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.keras")
    fit([ModelCheckpoint(pattern)], [{"val_loss": 0.5}, {"val_loss": 0.25}])
    names = sorted(os.listdir(tmp_path / "ckpt"))
    assert names == ["01-0.50.keras", "02-0.25.keras"]  # 1-based epochs; folder created
    with np.load(tmp_path / "ckpt" / "02-0.25.keras") as data:
        assert list(data) == ["arr_0", "arr_1"]
        np.testing.assert_array_equal(data["arr_0"], np.ones((2, 2)))
        np.testing.assert_array_equal(data["arr_1"], np.ones(2))


def test_checkpoint_best_only_min(tmp_path, capsys):
    pattern = str(tmp_path / "m-{epoch}.keras")
    cb = ModelCheckpoint(pattern, save_best_only=True, verbose=1)
    fit([cb], [{"val_loss": v} for v in (0.5, 0.6, 0.4, 0.4, 0.1)])
    assert sorted(os.listdir(tmp_path)) == ["m-1.keras", "m-3.keras", "m-5.keras"]
    assert cb.best == 0.1
    out = capsys.readouterr().out
    assert f"\nEpoch 1: val_loss improved from None to 0.50000, saving model to {tmp_path}/m-1.keras\n" in out
    assert "\nEpoch 2: val_loss did not improve from 0.50000\n" in out
    assert f"\nEpoch 5: finished saving model to {tmp_path}/m-5.keras\n" in out


def test_checkpoint_best_only_fixed_name_holds_best_weights(tmp_path):
    path = tmp_path / "best.keras"
    fit([ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True)],
        [{"val_accuracy": v} for v in (0.5, 0.9, 0.7)])
    with np.load(path) as data:
        np.testing.assert_array_equal(data["arr_1"], [1.0, 1.0])  # epoch 1 (max mode)
    assert os.listdir(tmp_path) == ["best.keras"]  # no temp files left


def test_checkpoint_initial_value_threshold(tmp_path):
    fit([ModelCheckpoint(tmp_path / "{epoch}.keras", monitor="loss", save_best_only=True,
                         initial_value_threshold=0.3)],
        [{"loss": v} for v in (0.5, 0.4, 0.2)])
    assert os.listdir(tmp_path) == ["3.keras"]


def test_checkpoint_missing_monitor_saves_with_warning(tmp_path):
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        fit([ModelCheckpoint(tmp_path / "a.keras", save_best_only=True)], [{"loss": 1.0}])
    assert os.listdir(tmp_path) == ["a.keras"]


def test_checkpoint_uses_model_save_methods(tmp_path):
    model = SavingModel()
    fit([ModelCheckpoint(tmp_path / "w{epoch}.weights.h5", save_weights_only=True),
         ModelCheckpoint(tmp_path / "m{epoch}.keras")], [{"loss": 1.0}], model=model)
    assert model.saved == [("weights", f"{tmp_path}/w1.weights.h5"), ("model", f"{tmp_path}/m1.keras")]


def test_checkpoint_save_freq_counts_steps_across_chunks(tmp_path):
    # 4 steps per epoch in chunks of 2 (hooks at batches 1 and 3); save every 3 steps.
    pattern = str(tmp_path / "e{epoch}-b{batch}.keras")
    fit([ModelCheckpoint(pattern, save_freq=3)], [{"loss": 1.0}] * 2, steps=4, chunk=2)
    assert sorted(os.listdir(tmp_path)) == ["e1-b4.keras", "e2-b4.keras"]


def test_checkpoint_argument_validation(tmp_path):
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        ModelCheckpoint(tmp_path / "w.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        ModelCheckpoint(tmp_path / "model.ckpt")
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint(tmp_path / "m.keras", save_freq="batch")
    with pytest.raises(KeyError, match="Failed to format"):
        fit([ModelCheckpoint(tmp_path / "{nope}.keras")], [{"loss": 1.0}])
    with pytest.raises(TypeError, match="needs a model with `save`"):
        fit([ModelCheckpoint(tmp_path / "m.keras")], [{"loss": 1.0}], model=TinyModel())
    (tmp_path / "dir.keras").mkdir()
    with pytest.raises(IOError, match="non-directory filepath"):
        fit([ModelCheckpoint(tmp_path / "dir.keras")], [{"loss": 1.0}], model=SavingModel())

"""LearningRateScheduler and ReduceLROnPlateau on a stand-in optimizer's float property."""

import numpy as np
import pytest

from jkeras.training.callbacks import CallbackList, LearningRateScheduler, ReduceLROnPlateau


class Optimizer:
    def __init__(self, lr):
        self._lr = lr
        self.assigned = []

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.assigned.append(value)
        self._lr = float(value)


class TinyModel:
    def __init__(self, lr=0.1):
        self.stop_training = False
        self.optimizer = Optimizer(lr)


def fit(callbacks, losses, lr=0.1, monitor="loss"):
    """Keras fit's epoch hooks; records the rate in force during each epoch."""
    model = TinyModel(lr)
    cbs = CallbackList(callbacks, add_history=True, model=model, verbose=0,
                       epochs=len(losses), steps=1)
    cbs.on_train_begin()
    used = []
    for epoch, loss in enumerate(losses):
        cbs.on_epoch_begin(epoch)
        used.append(model.optimizer.learning_rate)
        cbs.on_epoch_end(epoch, {monitor: loss})
    cbs.on_train_end()
    return model, used


def test_scheduler_two_argument_schedule_and_logging():
    sched = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    model, used = fit([sched], [1.0, 1.0, 1.0])
    assert used == [0.1, 0.05, 0.025]
    assert model.history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_scheduler_one_argument_schedule(capsys):
    sched = LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1), verbose=1)
    _, used = fit([sched], [1.0, 1.0])
    assert used == [0.01, 0.02]
    assert capsys.readouterr().out == (
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.01.\n"
        "\nEpoch 2: LearningRateScheduler setting learning rate to 0.02.\n"
    )


def test_scheduler_accepts_numpy_floats_rejects_others():
    _, used = fit([LearningRateScheduler(lambda e: np.float32(0.5))], [1.0])
    assert used == [0.5]
    with pytest.raises(ValueError, match="should be a float"):
        fit([LearningRateScheduler(lambda e: 1)], [1.0])


def test_scheduler_requires_learning_rate_attribute():
    cbs = CallbackList([LearningRateScheduler(lambda e: 0.1)], model=TinyModel())
    cbs.callbacks[0].model.optimizer = object()
    with pytest.raises(ValueError, match='must have a "learning_rate"'):
        cbs.on_epoch_begin(0)


def test_plateau_patience_cooldown_and_min_lr():
    cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    model, used = fit([cb], [1.0] * 9)
    # Reductions at epochs 2, 4, 6 (patience 2, then one cooldown epoch that does not count).
    assert used == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]
    assert model.history.history["learning_rate"] == used  # logged before the decision


def test_plateau_improvement_resets_wait_and_min_delta():
    cb = ReduceLROnPlateau(monitor="loss", factor=0.1, patience=2, min_delta=0.01)
    _, used = fit([cb], [1.0, 0.95, 0.945, 0.944, 0.5, 0.6])
    # 0.945 and 0.944 improve by less than 0.01 -> reduce after epoch 3.
    assert used == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.01, 0.01])


def test_plateau_max_mode_and_verbose(capsys):
    cb = ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1, verbose=1)
    _, used = fit([cb], [0.5, 0.6, 0.55, 0.7], monitor="val_accuracy")
    assert used == [0.1, 0.1, 0.1, 0.05]
    assert capsys.readouterr().out == "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05.\n"


def test_plateau_at_min_lr_leaves_rate_alone():
    cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.5)
    model, used = fit([cb], [1.0, 1.0, 1.0], lr=0.25)
    assert used == [0.25, 0.25, 0.25] and model.optimizer.assigned == []


def test_plateau_rejects_factor_ge_1_and_warns_on_missing_metric():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="conditioned on metric `val_loss`"):
        fit([ReduceLROnPlateau(patience=0)], [1.0, 1.0])


def test_plateau_state_resets_per_fit():
    cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    fit([cb], [1.0, 1.0])
    assert cb.wait == 1
    _, used = fit([cb], [2.0, 2.0, 2.0])
    assert used == [0.1, 0.1, 0.1] and cb.best == 2.0

"""EarlyStopping: which epoch stops and which weights come back, for scripted logs."""

import numpy as np
import pytest

from jkeras.training.callbacks import CallbackList, EarlyStopping


class TinyModel:
    """Stand-in: one weight array whose value is the epoch that produced it."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2, np.float32)]
        self.metrics = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


def fit(callbacks, values, monitor="loss", model=None):
    """Keras fit's epoch loop; epoch e "trains" the weights to e, then logs values[e]."""
    model = model or TinyModel()
    cbs = CallbackList(callbacks, add_history=True, model=model, verbose=0,
                       epochs=len(values), steps=1)
    model.stop_training = False
    cbs.on_train_begin()
    logs = {}
    for epoch, value in enumerate(values):
        cbs.on_epoch_begin(epoch)
        model.weights = [np.full(2, epoch, np.float32)]
        logs = {monitor: value} if value is not None else {"other": 1.0}
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model, model.history.epoch


def test_patience_counts_epochs_without_improvement():
    es = EarlyStopping(monitor="loss", patience=2)
    _, epochs = fit([es], [1.0, 0.9, 0.95, 0.96, 0.5])
    assert epochs == [0, 1, 2, 3] and es.stopped_epoch == 3 and es.best == 0.9


def test_patience_zero_stops_at_first_non_improvement_but_never_at_epoch_0():
    es = EarlyStopping(monitor="loss", patience=0)
    _, epochs = fit([es], [1.0, 1.0, 0.5])
    assert epochs == [0, 1] and es.stopped_epoch == 1


def test_min_delta_requires_a_big_enough_gain():
    es = EarlyStopping(monitor="loss", min_delta=0.1, patience=1)
    _, epochs = fit([es], [1.0, 0.95, 0.5])  # 0.05 better: not an improvement
    assert epochs == [0, 1]
    es = EarlyStopping(monitor="loss", min_delta=-0.1, patience=1)  # sign ignored
    _, epochs = fit([es], [1.0, 0.85, 0.7, 0.65])
    assert epochs == [0, 1, 2, 3]  # 0.85 and 0.7 improve by >= 0.1; 0.65 does not
    assert es.stopped_epoch == 3 and es.best == 0.7


def test_baseline_keeps_the_count_running_until_beaten():
    # Improvements that do not beat the baseline do not reset the wait...
    es = EarlyStopping(monitor="loss", baseline=0.5, patience=2)
    _, epochs = fit([es], [1.0, 1.1, 1.2, 0.9])
    assert epochs == [0, 1] and es.stopped_epoch == 1
    # ...but an improving epoch returns before the stop check (Keras), so steady gains go on.
    es = EarlyStopping(monitor="loss", baseline=0.5, patience=1)
    _, epochs = fit([es], [1.0, 0.9, 0.8, 0.7, 0.6])
    assert epochs == [0, 1, 2, 3, 4] and es.wait == 5
    # Beating the baseline resets the count.
    es = EarlyStopping(monitor="loss", baseline=0.5, patience=2)
    _, epochs = fit([es], [0.4, 0.45, 0.41, 0.3, 0.35])
    assert epochs == [0, 1, 2] and es.best == 0.4


def test_restore_best_weights_after_early_stop(capsys):
    es = EarlyStopping(monitor="loss", patience=2, restore_best_weights=True, verbose=1)
    model, epochs = fit([es], [1.0, 0.5, 0.7, 0.8, 0.1])
    assert epochs == [0, 1, 2, 3]
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1 was best
    assert es.best_epoch == 1
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"
    )


def test_restore_happens_even_without_early_stop(capsys):
    es = EarlyStopping(monitor="loss", patience=10, restore_best_weights=True, verbose=1)
    model, epochs = fit([es], [1.0, 0.5, 0.7])
    assert epochs == [0, 1, 2]
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])
    assert capsys.readouterr().out == "Restoring model weights from the end of the best epoch: 2.\n"


def test_no_restore_without_flag():
    model, _ = fit([EarlyStopping(monitor="loss", patience=1)], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # last trained, not best


def test_restore_with_baseline_never_beaten_takes_best_epoch():
    es = EarlyStopping(monitor="loss", baseline=0.1, patience=3, restore_best_weights=True)
    model, epochs = fit([es], [1.0, 0.8, 0.9, 0.95, 0.85])
    assert epochs == [0, 1, 2]  # waits 1,2,3: stops at epoch 2
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_start_from_epoch_skips_warmup():
    es = EarlyStopping(monitor="loss", patience=1, start_from_epoch=2)
    _, epochs = fit([es], [0.1, 5.0, 5.0, 5.0, 5.0])
    assert epochs == [0, 1, 2, 3] and es.best == 5.0


def test_auto_mode_directions():
    es = EarlyStopping(monitor="val_accuracy", patience=0)
    _, epochs = fit([es], [0.5, 0.6, 0.7, 0.65, 0.9], monitor="val_accuracy")
    assert es.monitor_op(2, 1) and epochs == [0, 1, 2, 3]
    es = EarlyStopping(monitor="val_auc_1", patience=0)
    _, epochs = fit([es], [0.5, 0.4], monitor="val_auc_1")
    assert epochs == [0, 1]
    es = EarlyStopping(monitor="mean_absolute_error", patience=0)
    _, epochs = fit([es], [0.5, 0.4, 0.45], monitor="mean_absolute_error")
    assert epochs == [0, 1, 2]
    es = EarlyStopping(monitor="val_loss", mode="max", patience=0)
    _, epochs = fit([es], [0.5, 0.4], monitor="val_loss")
    assert epochs == [0, 1]


def test_auto_mode_reads_metric_direction_from_the_model():
    class Metric:
        name, _direction = "custom_score", "up"

    class Container:  # compile-time container holding the metrics
        metrics = [Metric()]

    model = TinyModel()
    model.metrics = [Container()]
    es = EarlyStopping(monitor="val_custom_score", patience=0)
    _, epochs = fit([es], [1.0, 2.0, 1.5], monitor="val_custom_score", model=model)
    assert epochs == [0, 1, 2]


def test_auto_mode_unknown_metric_raises():
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        fit([EarlyStopping(monitor="weird")], [1.0], monitor="weird")


def test_unknown_mode_warns_and_falls_back():
    with pytest.warns(UserWarning, match="mode 'bogus' is unknown"):
        es = EarlyStopping(monitor="loss", mode="bogus")
    assert es.mode == "auto"


def test_missing_monitor_warns_and_never_stops():
    es = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss`"):
        _, epochs = fit([es], [None, None, None], monitor="val_loss")
    assert epochs == [0, 1, 2]


def test_instance_reusable_across_fits():
    es = EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    fit([es], [1.0, 2.0])
    assert es.stopped_epoch == 1
    model, epochs = fit([es], [3.0, 2.0, 1.0])
    assert epochs == [0, 1, 2] and es.stopped_epoch == 0 and es.best == 1.0
    np.testing.assert_array_equal(model.weights[0], [2.0, 2.0])

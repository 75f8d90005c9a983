"""keras.config.set_max_epochs / set_max_steps_per_epoch (debugging limits on fit, evaluate and
predict), `keras.preprocessing`'s dataset names, and compile's automatic LossScaleOptimizer
under mixed_float16 (Keras's `auto_scale_loss`)."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


class Count(jkeras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.train, self.test, self.predict, self.epochs = [], [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.train.append(batch)

    def on_test_batch_end(self, batch, logs=None):
        self.test.append(batch)

    def on_predict_batch_end(self, batch, logs=None):
        self.predict.append(batch)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


@pytest.fixture
def limits():
    yield jkeras.config
    jkeras.config.set_max_epochs(None)
    jkeras.config.set_max_steps_per_epoch(None)


def model():
    m = jkeras.Sequential([jkeras.Input(shape=(3,)), L.Dense(1)])
    m.compile("sgd", "mse")
    return m


def test_limits_cap_fit_evaluate_and_predict(limits):
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    m, cb = model(), Count()
    limits.set_max_epochs(2)
    limits.set_max_steps_per_epoch(3)
    assert limits.max_epochs() == 2 and limits.max_steps_per_epoch() == 3
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = m.fit(x, x[:, :1], batch_size=8, epochs=5, verbose=0, callbacks=[cb])
    assert len(history.history["loss"]) == 2 and cb.epochs == [0, 1]
    assert cb.train == [0, 1, 2] * 2
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        m.evaluate(x, x[:, :1], batch_size=8, verbose=0, callbacks=[cb])
        out = m.predict(x, batch_size=8, verbose=0, callbacks=[cb])
    assert cb.test == [0, 1, 2] and cb.predict == [0, 1, 2] and out.shape == (24, 1)
    limits.set_max_epochs(None)
    limits.set_max_steps_per_epoch(None)
    assert len(m.fit(x, x[:, :1], batch_size=8, epochs=3, verbose=0).history["loss"]) == 3


def test_preprocessing_namespace_holds_the_dataset_utilities():
    assert jkeras.preprocessing.timeseries_dataset_from_array is \
        jkeras.utils.timeseries_dataset_from_array
    assert jkeras.preprocessing.image_dataset_from_directory is \
        jkeras.utils.image_dataset_from_directory
    assert jkeras.preprocessing.text_dataset_from_directory is \
        jkeras.utils.text_dataset_from_directory


def test_mixed_float16_wraps_the_optimizer_in_a_loss_scale_optimizer():
    m = jkeras.Sequential([jkeras.Input(shape=(3,)), L.Dense(1)], dtype="mixed_float16")
    m.compile(jkeras.optimizers.SGD(0.1), "mse")
    assert isinstance(m.optimizer, jkeras.optimizers.LossScaleOptimizer)
    assert m.optimizer.name == "loss_scale_optimizer"
    m.compile(jkeras.optimizers.SGD(0.1), "mse", auto_scale_loss=False)
    assert isinstance(m.optimizer, jkeras.optimizers.SGD)
    plain = model()
    assert isinstance(plain.optimizer, jkeras.optimizers.SGD)

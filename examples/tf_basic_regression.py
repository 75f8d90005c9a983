"""TensorFlow's "Basic regression" tutorial, with `tf.keras` changed to `jkeras` and nothing else.

The tutorial predicts fuel efficiency from the Auto MPG table, which it downloads; no download is
allowed here, so the same program runs on scikit-learn's diabetes table (442 patients, 10
features, a disease-progression target), with `bmi` in the role of `Horsepower`. Every model
call is the tutorial's: `Normalization(input_shape=[1,], axis=None)` adapted on a 1-D column,
`fit` on a pandas Series, the linear, multi-input and DNN models, `evaluate`, `save` and
`load_model`. The one other change: tf.keras's tensors have `.numpy()`, JAX arrays do not
(as in Keras 3 on JAX), so the three printed values go through `np.asarray`.
"""
import os
import tempfile

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

import jkeras as keras
from jkeras import layers

np.set_printoptions(precision=3, suppress=True)

# ---- the data (the tutorial: pd.read_csv(url, ...), dropna, one-hot Origin)
dataset = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "Y"})
train_dataset = dataset.sample(frac=0.8, random_state=0)
test_dataset = dataset.drop(train_dataset.index)
print(train_dataset.describe().transpose()[["mean", "std"]].head(3))

train_features = train_dataset.copy()
test_features = test_dataset.copy()
train_labels = train_features.pop("Y")
test_labels = test_features.pop("Y")

# ---- the normalization layer
normalizer = layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(np.asarray(normalizer.mean))
first = np.array(train_features[:1])
with np.printoptions(precision=2, suppress=True):
    print("First example:", first)
    print("Normalized:", np.asarray(normalizer(first)))

# ---- linear regression with one variable
bmi = np.array(train_features["bmi"])
bmi_normalizer = layers.Normalization(input_shape=[1, ], axis=None)
bmi_normalizer.adapt(bmi)

bmi_model = keras.Sequential([
    bmi_normalizer,
    layers.Dense(units=1)
])
bmi_model.summary()
print(bmi_model.predict(bmi[:10]).shape)

bmi_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.1),
    loss="mean_absolute_error")
history = bmi_model.fit(
    train_features["bmi"],
    train_labels,
    epochs=100,
    # Suppress logging.
    verbose=0,
    # Calculate validation results on 20% of the training data.
    validation_split=0.2)
hist = pd.DataFrame(history.history)
hist["epoch"] = history.epoch
print(hist.tail(1))

test_results = {}
test_results["bmi_model"] = bmi_model.evaluate(
    test_features["bmi"],
    test_labels, verbose=0)
x = np.linspace(15, 45, 31)
y = bmi_model.predict(x)

# ---- linear regression with multiple inputs
linear_model = keras.Sequential([
    normalizer,
    layers.Dense(units=1)
])
print(linear_model.predict(train_features[:10]).shape)
print(np.asarray(linear_model.layers[1].kernel).shape)
linear_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.1),
    loss="mean_absolute_error")
history = linear_model.fit(
    train_features,
    train_labels,
    epochs=100,
    verbose=0,
    validation_split=0.2)
test_results["linear_model"] = linear_model.evaluate(
    test_features, test_labels, verbose=0)


# ---- a deep neural network
def build_and_compile_model(norm):
    model = keras.Sequential([
        norm,
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1)
    ])
    model.compile(loss="mean_absolute_error",
                  optimizer=keras.optimizers.Adam(0.001))
    return model


dnn_bmi_model = build_and_compile_model(bmi_normalizer)
dnn_bmi_model.summary()
history = dnn_bmi_model.fit(
    train_features["bmi"],
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=100)
test_results["dnn_bmi_model"] = dnn_bmi_model.evaluate(
    test_features["bmi"], test_labels,
    verbose=0)

dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
history = dnn_model.fit(
    train_features,
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=100)
test_results["dnn_model"] = dnn_model.evaluate(test_features, test_labels, verbose=0)

print(pd.DataFrame(test_results, index=["Mean absolute error [Y]"]).T)
test_predictions = dnn_model.predict(test_features).flatten()

# ---- save and reload (into a temporary folder: the tutorial writes to the working directory)
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "dnn_model.keras")
    dnn_model.save(path)
    reloaded = keras.models.load_model(path)
    test_results["reloaded"] = reloaded.evaluate(test_features, test_labels, verbose=0)

# ---- what this example checks (not in the tutorial)
spread = float(np.mean(np.abs(test_labels - train_labels.mean())))  # predicting the mean
# (100 epochs at learning rate 0.1 move the one-feature linear model's bias only ~90 of the
# target's ~150: it stays near the mean-only error, as the tutorial's horsepower model starts.)
assert test_results["dnn_model"] < 0.7 * spread, (test_results, spread)
assert test_results["dnn_model"] < test_results["dnn_bmi_model"] < test_results["bmi_model"]
assert abs(test_results["reloaded"] - test_results["dnn_model"]) < 1e-4, test_results
assert y.shape == (31, 1) and test_predictions.shape == (len(test_labels),)
print(f"MAE: mean-only {spread:.1f}, bmi {test_results['bmi_model']:.1f}, "
      f"dnn {test_results['dnn_model']:.1f}")
print("OK: the Basic regression tutorial runs unchanged (1-D Series through Normalization, "
      "save/load equal)")

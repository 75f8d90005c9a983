"""keras.io "The Sequential model" with the imports changed (`import jkeras as keras`,
`tf.ones` -> `keras.ops.ones`), each step checking its result.

Covered: Sequential from a list, `add` / `pop`, names, deferred building, `summary()` while
stacking layers, `Input` / `input_shape`, feature extraction through `layer.output`, and the
first transfer-learning blueprint (freeze all layers but the last, recompile, fit) run on small
random data. The second blueprint (`applications.Xception(weights="imagenet")`) needs a
download and is left out (examples/finetune_mobilenetv2_digits.py shows that pattern).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np

import jkeras as keras
from jkeras import layers, ops

keras.utils.set_random_seed(0)

# ---- When to use a Sequential model ----------------------------------------------------------
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = ops.ones((3, 3))
y = model(x)

layer1 = layers.Dense(2, activation="relu", name="layer1")
layer2 = layers.Dense(3, activation="relu", name="layer2")
layer3 = layers.Dense(4, name="layer3")
x = ops.ones((3, 3))
y_fn = layer3(layer2(layer1(x)))  # builds the layers
for source, target in zip(model.layers, (layer1, layer2, layer3)):
    target.set_weights(source.get_weights())
np.testing.assert_allclose(layer3(layer2(layer1(x))), y, rtol=1e-6)
print("Sequential equals the chained layers")

# ---- Creating a Sequential model ---------------------------------------------------------------
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)
print(model.layers)

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers))  # 2
assert len(model.layers) == 2

model = keras.Sequential(name="my_sequential")
model.add(layers.Dense(2, activation="relu", name="layer1"))
model.add(layers.Dense(3, activation="relu", name="layer2"))
model.add(layers.Dense(4, name="layer3"))
assert model.name == "my_sequential"

# ---- Specifying the input shape in advance -------------------------------------------------
layer = layers.Dense(3)
assert layer.weights == []  # Empty
x = ops.ones((1, 4))
y = layer(x)
assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]

model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)  # No weights at this stage!
x = ops.ones((1, 4))
y = model(x)
print("Number of weights after calling the model:", len(model.weights))  # 6
model.summary()

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
print(model.layers)
assert len(model.layers) == 1  # the Input is not a layer

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
model.summary()
assert len(model.weights) == 2 and model.output_shape == (None, 2)

# ---- A common debugging workflow: add() + summary() ------------------------------------------
model = keras.Sequential()
model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.summary()
assert model.output_shape == (None, 40, 40, 32)  # The answer was: (40, 40, 32)

model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))
model.summary()
assert model.output_shape == (None, 4, 4, 32)

model.add(layers.GlobalMaxPooling2D())
model.add(layers.Dense(10))
assert model.output_shape == (None, 10)
print("add() + summary(): output shapes (40, 40, 32) then (4, 4, 32)")

# ---- Feature extraction with a Sequential model ----------------------------------------------
initial_model = keras.Sequential(
    [
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)
x = ops.ones((1, 250, 250, 3))
features = feature_extractor(x)
assert [tuple(f.shape) for f in features] == [(1, 123, 123, 32), (1, 121, 121, 32),
                                              (1, 119, 119, 32)]
np.testing.assert_allclose(features[-1], initial_model(x), rtol=1e-5, atol=1e-6)

initial_model = keras.Sequential(
    [
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
x = ops.ones((1, 250, 250, 3))
features = feature_extractor(x)
assert features.shape == (1, 121, 121, 32)
print("feature extraction: intermediate outputs")

# ---- Transfer learning with a Sequential model ----------------------------------------------
model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation='relu'),
    layers.Dense(32, activation='relu'),
    layers.Dense(32, activation='relu'),
    layers.Dense(10),
])
before = model.get_weights()

# Freeze all layers except the last one.
for layer in model.layers[:-1]:
    layer.trainable = False

# Recompile and train (this will only update the weights of the last layer).
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
data = np.random.default_rng(0).random((64, 784)).astype("float32")
labels = np.random.default_rng(1).integers(0, 10, size=64)
model.fit(data, labels, epochs=1, batch_size=32, verbose=0)
after = model.get_weights()
assert all(np.array_equal(a, b) for a, b in zip(before[:6], after[:6]))
assert not np.array_equal(before[6], after[6])
print("transfer learning: only the last layer changed")
print("OK: Sequential guide")

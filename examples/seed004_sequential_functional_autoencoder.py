"""Seed 004: three ways to build a Keras model (TensorFlow 2.x, "Keras-based model building").

- Sequential: `add` with `input_shape`, the `input_dim` / `batch_input_shape` variants, a list,
  and deferred building with `build((None, 16))`; all give the same weights;
- the functional API for the same network, with `summary()`;
- the encoder / autoencoder of Keras's functional-API guide: one layer graph used by two
  models, and a model used as a layer inside another model (weights shared, not copied).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import jax
import numpy as np

import jkeras
from jkeras import layers

# 16 -> 64 -> 64 -> 10: (16*64 + 64) + (64*64 + 64) + (64*10 + 10)
N_PARAMS = (16 * 64 + 64) + (64 * 64 + 64) + (64 * 10 + 10)  # = 5,898


def sequential_models():
    model = jkeras.Sequential()
    # Adds a densely-connected layer with 64 units to the model:
    model.add(layers.Dense(64, activation='relu', input_shape=(16,)))
    model.add(layers.Dense(64, activation='relu'))
    model.add(layers.Dense(10))
    # An input shape on the first layer builds each layer as it is added: weights exist now.
    print([(w.path, w.shape) for w in model.weights])  # print(model.weights) shows the values too
    shapes = [tuple(w.shape) for w in model.weights]
    assert shapes == [(16, 64), (64,), (64, 64), (64,), (64, 10), (10,)], shapes

    variants = {
        "input_dim=16": lambda: layers.Dense(64, activation='relu', input_dim=16),
        "batch_input_shape=(None, 16)":
            lambda: layers.Dense(64, activation='relu', batch_input_shape=(None, 16)),
        "input_shape=(16,), as a list": lambda: layers.Dense(64, activation='relu', input_shape=(16,)),
    }
    for name, first in variants.items():
        m = jkeras.Sequential([first(), layers.Dense(64, activation='relu'), layers.Dense(10)])
        print(f"Sequential with {name}: {m.count_params():,} params")
        assert [tuple(w.shape) for w in m.weights] == shapes
        assert m.count_params() == N_PARAMS

    # Deferred: no input shape, no weights until build() (or the first call / fit).
    m = jkeras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(64, activation='relu'),
                           layers.Dense(10)])
    print("deferred, before build:", m.weights)
    assert m.weights == []
    m.build((None, 16))
    print(f"deferred, after build((None, 16)): {m.count_params():,} params")
    assert m.count_params() == N_PARAMS
    return model


def functional_model():
    inputs = jkeras.Input(shape=(16,))
    dense = layers.Dense(64, activation='relu')
    x = dense(inputs)
    x = layers.Dense(64, activation='relu')(x)
    outputs = layers.Dense(10)(x)
    model = jkeras.Model(inputs=inputs, outputs=outputs, name='model')
    model.summary()
    assert model.count_params() == N_PARAMS
    return model


def autoencoders():
    encoder_input = jkeras.Input(shape=(16,), name='encoder_input')
    x = layers.Dense(32, activation='relu')(encoder_input)
    x = layers.Dense(64, activation='relu')(x)
    encoder_output = layers.Dense(128, activation='relu')(x)
    encoder = jkeras.Model(encoder_input, encoder_output, name='encoder')
    encoder.summary()

    # The decoder continues the same graph: the autoencoder contains the encoder's layers.
    x = layers.Dense(64, activation='relu')(encoder_output)
    x = layers.Dense(32, activation='relu')(x)
    decoder_output = layers.Dense(16)(x)
    autoencoder = jkeras.Model(encoder_input, decoder_output, name='autoencoder')
    autoencoder.summary()

    # Models are callable like layers: a decoder model, and a new autoencoder that calls both.
    decoder_input = jkeras.Input(shape=(128,), name='encoded')
    x = layers.Dense(64, activation='relu')(decoder_input)
    x = layers.Dense(32, activation='relu')(x)
    decoder = jkeras.Model(decoder_input, layers.Dense(16)(x), name='decoder')
    decoder.summary()
    img = jkeras.Input(shape=(16,), name='img')
    nested = jkeras.Model(img, decoder(encoder(img)), name='nested_autoencoder')
    nested.summary()

    enc_params = (16 * 32 + 32) + (32 * 64 + 64) + (64 * 128 + 128)
    dec_params = (128 * 64 + 64) + (64 * 32 + 32) + (32 * 16 + 16)
    assert encoder.count_params() == enc_params
    assert autoencoder.count_params() == nested.count_params() == enc_params + dec_params
    assert nested.get_layer('encoder') is encoder

    # Shared, not copied: changing the encoder's weights changes both autoencoders' outputs.
    data = np.random.default_rng(0).random((4, 16)).astype(np.float32)
    before = [np.asarray(autoencoder(data)), np.asarray(nested(data))]
    encoder.set_weights([w * 2 for w in encoder.get_weights()])
    after = [np.asarray(autoencoder(data)), np.asarray(nested(data))]
    for name, b, a in zip(["autoencoder", "nested_autoencoder"], before, after):
        change = float(np.abs(a - b).max())
        print(f"{name}: max output change after scaling the encoder's weights: {change:.4f}")
        assert change > 1e-3
    np.testing.assert_allclose(encoder.get_layer(index=1).get_weights()[0],
                               autoencoder.get_layer(index=1).get_weights()[0])
    # The nested model's variables nest by sub-model name.
    shapes = jax.tree_util.tree_map(np.shape, nested.get_variables()["params"])
    print("nested_autoencoder variables:", shapes)
    assert set(shapes) == {'encoder', 'decoder'}


def main():
    jkeras.utils.set_random_seed(0)
    sequential_models()
    functional_model()
    autoencoders()
    print(f"OK: Sequential (4 ways) and functional give {N_PARAMS:,} params; encoder shared")


if __name__ == "__main__":
    main()

"""keras.io's "Variational AutoEncoder" on scikit-learn's digits (8x8, no download), with the
KL divergence added by the encoder through `add_loss` (the form that needs no custom
train_step): fit minimises reconstruction crossentropy + KL, and reports their sum as `loss`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits

import jkeras as keras
from jkeras import layers, ops

LATENT_DIM = 2


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit (in training; at
    inference z is z_mean: jkeras draws random numbers from the key a training call gets)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=False):
        z_mean, z_log_var = inputs
        if not training:
            return z_mean
        batch, dim = ops.shape(z_mean)[0], ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class KLDivergence(layers.Layer):
    """Adds the KL divergence of N(z_mean, exp(z_log_var)) from N(0, 1) to the losses."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(ops.mean(ops.sum(kl, axis=1)))
        return z_mean


def build_vae():
    encoder_inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Conv2D(16, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
    z_mean = KLDivergence()([z_mean, z_log_var])
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(LATENT_DIM,))
    x = layers.Dense(2 * 2 * 32, activation="relu")(latent_inputs)
    x = layers.Reshape((2, 2, 32))(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    inputs = keras.Input(shape=(8, 8, 1))
    _, _, z = encoder(inputs)
    return keras.Model(inputs, decoder(z), name="vae"), encoder, decoder


def reconstruction_loss(data, reconstruction):
    """keras.io's: binary crossentropy summed over the pixels (per image)."""
    per_pixel = keras.losses.binary_crossentropy(data[..., None], reconstruction[..., None])
    return ops.sum(per_pixel, axis=(1, 2))


def main():
    keras.utils.set_random_seed(0)
    digits = np.expand_dims(load_digits().images / 16.0, -1).astype("float32")
    vae, encoder, decoder = build_vae()
    vae.compile(optimizer=keras.optimizers.Adam(2e-3), loss=reconstruction_loss)
    history = vae.fit(digits, digits, epochs=30, batch_size=64, verbose=2)
    losses = history.history["loss"]
    print(f"loss (reconstruction + KL): {losses[0]:.3f} -> {losses[-1]:.3f}")
    vae(digits[:128], training=True)
    print(f"KL term on 128 digits: {float(vae.losses[0]):.4f} ({len(vae.losses)} layer loss)")
    z_mean, _, _ = encoder.predict(digits, verbose=0)
    decoded = decoder.predict(z_mean[:5], verbose=0)
    print("latent means of 5 digits:", np.round(z_mean[:5].astype(float), 2).tolist())
    print(f"mean absolute reconstruction error: {np.abs(decoded - digits[:5]).mean():.4f}")
    assert losses[-1] < losses[0], "training did not lower the loss"


if __name__ == "__main__":
    main()

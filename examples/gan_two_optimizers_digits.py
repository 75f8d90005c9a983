"""A GAN in Keras 3's JAX form: `compile(d_optimizer, g_optimizer, loss_fn)` overridden, and a
`train_step(self, state, data)` that takes two gradients and makes two `stateless_apply` calls
(the structure of keras.io's "GAN overriding Model.train_step", written statelessly as its
guide "Customizing what happens in fit() with JAX" teaches). Real data: scikit-learn's 8x8 digits.

How the state lists are laid out (jkeras; Keras 3 does not define this for several optimizers):
`trainable_variables` / `non_trainable_variables` follow the model's weight order (here the
discriminator's, then the generator's, as they were assigned in `__init__`); `optimizer_variables`
holds `self.optimizer.variables` followed by the variables of every other optimizer the model
holds, in the order they were assigned (here `d_optimizer`, then `g_optimizer`). Each optimizer
is built on its own variables in `compile`, as Keras's `optimizer.build(var_list)`.
"""
import jax
import jax.numpy as jnp
import numpy as np
from sklearn.datasets import load_digits

import jkeras as keras
from jkeras import layers, ops

LATENT = 16
images = (load_digits().images.reshape(-1, 64) / 16.0).astype("float32")  # in [0, 1]


def make_discriminator():
    return keras.Sequential([keras.Input(shape=(64,)), layers.Dense(64),
                             layers.LeakyReLU(negative_slope=0.2), layers.Dense(1)],
                            name="discriminator")


def make_generator():
    return keras.Sequential([keras.Input(shape=(LATENT,)), layers.Dense(64),
                             layers.LeakyReLU(negative_slope=0.2),
                             layers.Dense(64, activation="sigmoid")], name="generator")


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        # as keras.io's GAN: the trackers reset each epoch, and their variables are the step's
        # `metrics_variables`, in this order
        return [self.d_loss_tracker, self.g_loss_tracker]

    def call(self, z):
        return self.generator(z)

    def _split(self, values, first):
        n = len(first)
        return list(values[:n]), list(values[n:])

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        d_train, g_train = self._split(trainable, self.discriminator.trainable_variables)
        d_non, g_non = self._split(non_trainable, self.discriminator.non_trainable_variables)
        n_own = len(self.optimizer.variables)
        n_d = len(self.d_optimizer.variables)
        own_opt = optimizer_variables[:n_own]
        d_opt = optimizer_variables[n_own:n_own + n_d]
        g_opt = optimizer_variables[n_own + n_d:]

        real = data
        batch = ops.shape(real)[0]
        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)

        # 1. the discriminator: real images are labelled 1, generated ones 0
        fake, _ = self.generator.stateless_call(g_train, g_non, z)
        both = ops.concatenate([fake, real], axis=0)
        labels = ops.concatenate([ops.zeros((batch, 1)), ops.ones((batch, 1))], axis=0)

        def d_loss_fn(d_vars):
            logits, _ = self.discriminator.stateless_call(d_vars, d_non, both)
            return self.loss_fn(labels, logits)

        d_loss, d_grads = jax.value_and_grad(d_loss_fn)(d_train)
        d_train, d_opt = self.d_optimizer.stateless_apply(d_opt, d_grads, d_train)

        # 2. the generator: fool the (updated) discriminator
        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)

        def g_loss_fn(g_vars):
            images, _ = self.generator.stateless_call(g_vars, g_non, z)
            logits, _ = self.discriminator.stateless_call(d_train, d_non, images)
            return self.loss_fn(ops.ones((batch, 1)), logits)

        g_loss, g_grads = jax.value_and_grad(g_loss_fn)(g_train)
        g_train, g_opt = self.g_optimizer.stateless_apply(g_opt, g_grads, g_train)

        # 3. the trackers, statelessly
        d_mv = self.d_loss_tracker.stateless_update_state(metrics_variables[:2], d_loss)
        g_mv = self.g_loss_tracker.stateless_update_state(metrics_variables[2:], g_loss)
        logs = {"d_loss": self.d_loss_tracker.stateless_result(d_mv),
                "g_loss": self.g_loss_tracker.stateless_result(g_mv)}
        state = (d_train + g_train, d_non + g_non, list(own_opt) + list(d_opt) + list(g_opt),
                 list(d_mv) + list(g_mv))
        return logs, state


def mean_image_gap(generator, n=512, seed=0):
    """Distance between the mean generated image and the mean real image."""
    z = np.random.default_rng(seed).normal(size=(n, LATENT)).astype("float32")
    fake = np.asarray(generator.predict(z, verbose=0))
    return float(np.abs(fake.mean(0) - images.mean(0)).mean())


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    gan = GAN(make_discriminator(), make_generator(), LATENT)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                g_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    gan(np.zeros((1, LATENT), "float32"))  # builds the model's weights
    d_before = [np.array(w) for w in gan.discriminator.get_weights()]
    gap_before = mean_image_gap(gan.generator)
    history = gan.fit(images, batch_size=64, epochs=30, verbose=0)
    gap_after = mean_image_gap(gan.generator)
    d_moved = max(float(np.abs(a - b).max())
                  for a, b in zip(d_before, gan.discriminator.get_weights()))
    print("d_loss per epoch:", [round(v, 4) for v in history.history["d_loss"]])
    print("g_loss per epoch:", [round(v, 4) for v in history.history["g_loss"]])
    print(f"optimizer iterations: d={int(gan.d_optimizer.iterations)} "
          f"g={int(gan.g_optimizer.iterations)}")
    print(f"mean-image gap: before={gap_before:.4f} after={gap_after:.4f}")
    print(f"discriminator weights moved by up to {d_moved:.4f}")
    assert np.isfinite(history.history["d_loss"]).all()
    assert gap_after < 0.5 * gap_before, (gap_before, gap_after)
    print("OK: GAN with two optimizers trained")

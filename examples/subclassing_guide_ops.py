"""keras.io "Making new layers and models via subclassing", the parts built on `keras.ops` and
`keras.random`, run with only the import changed (`import jkeras as keras`).

Covered: a Linear layer with `add_weight` + `ops.matmul` (eager weights and deferred `build`),
recursively composed layers (MLPBlock), a dropout layer drawing from a
`keras.random.SeedGenerator` (eagerly and inside a compiled `fit`), `get_config`/`from_config`,
and the VAE's Sampling layer (`keras.random.normal` + `ops.exp`).
the ComputeSum layer's non-trainable running sum (`self.total.assign_add(...)`), `add_loss`
(ActivityRegularizationLayer, nested layers' losses, `kernel_regularizer`, a model compiled with
and without a loss) and the end-to-end VAE (Encoder, Decoder, the KL term through `add_loss`),
trained here on scikit-learn's 8x8 digits instead of MNIST.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np

import jkeras as keras
from jkeras import ops

keras.utils.set_random_seed(0)


# ---- The Layer class: the combination of state (weights) and some computation -----------------
class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(
            shape=(input_dim, units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
print(y)
assert y.shape == (2, 4)
np.testing.assert_allclose(y, np.ones((2, 2)) @ linear_layer.w.numpy() + linear_layer.b.numpy(),
                           rtol=1e-6)
assert [w.name for w in linear_layer.weights] == [linear_layer.w.name, linear_layer.b.name]
print("weights:", [tuple(w.shape) for w in linear_layer.weights])


# ---- Layers can have non-trainable weights ---------------------------------------------------
class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(
            initializer="zeros", shape=(input_dim,), trainable=False
        )

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


my_sum = ComputeSum(2)
x = ops.ones((2, 2))

y = my_sum(x)
print(y.numpy())  # [2. 2.]

y = my_sum(x)
print(y.numpy())  # [4. 4.]
np.testing.assert_array_equal(y.numpy(), [4.0, 4.0])
print("weights:", len(my_sum.weights))
print("non-trainable weights:", len(my_sum.non_trainable_weights))
print("trainable_weights:", my_sum.trainable_weights)


# ---- Best practice: deferring weight creation until the shape of the inputs is known ---------
class LazyLinear(keras.layers.Layer):
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


linear_layer = LazyLinear(32)
y = linear_layer(x)  # the layer's weights are created dynamically the first time it is called
assert y.shape == (2, 32) and linear_layer.w.shape == (2, 32)
print("lazy Linear built for input dim", linear_layer.w.shape[0])

layer = LazyLinear(64)
config = layer.get_config()
new_layer = LazyLinear.from_config(config)
assert new_layer.units == 64
print("config:", config)


# ---- Layers are recursively composable ------------------------------------------------------
class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.linear_2 = LazyLinear(32)
        self.linear_3 = LazyLinear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = ops.relu(x)
        x = self.linear_2(x)
        x = ops.relu(x)
        return self.linear_3(x)


mlp = MLPBlock()
y = mlp(ops.ones(shape=(3, 64)))  # the first call to the `mlp` will create the weights
print("weights:", len(mlp.weights))
print("trainable weights:", len(mlp.trainable_weights))
assert y.shape == (3, 1) and len(mlp.weights) == 6 and len(mlp.trainable_weights) == 6


# ---- Privileged `training` argument: dropout from a SeedGenerator ------------------------------
class CustomDropout(keras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


drop = CustomDropout(0.5)
ones = ops.ones((4, 250))
out = drop(ones, training=True)
kept = float(ops.mean(ops.not_equal(out, 0.0)))
assert set(np.unique(np.asarray(out))) <= {0.0, 2.0} and 0.4 < kept < 0.6
assert not np.array_equal(out, drop(ones, training=True))  # the generator advanced
np.testing.assert_array_equal(drop(ones, training=False), ones)
print(f"dropout kept {kept:.2f} of the units, scaled by 2")


# ---- The Model class: the layers above trained with compile/fit ---------------------------
class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = MLPBlock()
        self.dropout = CustomDropout(0.1)

    def call(self, inputs, training=False):
        return self.block(self.dropout(inputs, training=training))


rng = np.random.default_rng(0)
features = rng.normal(size=(256, 8)).astype("float32")
targets = (features @ rng.normal(size=(8, 1)) + 0.1).astype("float32")
model = Regressor()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="mse")
history = model.fit(features, targets, batch_size=32, epochs=8, verbose=0)
losses = history.history["loss"]
print(f"fit with dropout from a SeedGenerator: loss {losses[0]:.3f} -> {losses[-1]:.3f}")
assert losses[-1] < 0.5 * losses[0]
np.testing.assert_allclose(model.predict(features[:4], verbose=0),
                           model(features[:4]), rtol=1e-5, atol=1e-6)


# ---- The VAE's Sampling layer --------------------------------------------------------------
class Sampling(keras.layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


sampler = Sampling()
z_mean = ops.convert_to_tensor(rng.normal(size=(2000, 2)).astype("float32"))
z = sampler([z_mean, ops.zeros((2000, 2))])
spread = float(ops.std(z - z_mean))
assert abs(spread - 1.0) < 0.05
z_tight = sampler([z_mean, ops.full((2000, 2), -20.0)])
np.testing.assert_allclose(z_tight, z_mean, atol=1e-3)
print(f"Sampling: std of z - z_mean = {spread:.2f} with log var 0")


# ---- The add_loss() method -----------------------------------------------------------------
class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class OuterLayer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularizationLayer(1e-2)

    def call(self, inputs):
        return self.activity_reg(inputs)


layer = OuterLayer()
assert len(layer.losses) == 0  # No losses yet since the layer has never been called
_ = layer(ops.zeros((1, 1)))
assert len(layer.losses) == 1  # We created one loss value
_ = layer(ops.zeros((1, 1)))  # `layer.losses` gets reset at the start of each __call__
assert len(layer.losses) == 1
print("add_loss: one loss per call")


class OuterLayerWithKernelRegularizer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(32, kernel_regularizer=keras.regularizers.l2(1e-3))

    def call(self, inputs):
        return self.dense(inputs)


layer = OuterLayerWithKernelRegularizer()
_ = layer(ops.zeros((1, 1)))
expected = 1e-3 * float(ops.sum(layer.dense.kernel ** 2))
np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-6)
print(f"kernel_regularizer loss: {len(layer.losses)} value")

inputs = keras.Input(shape=(3,))
outputs = ActivityRegularizationLayer()(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")  # the compiled loss plus the layer's loss
model.fit(rng.random((2, 3)), rng.random((2, 3)), verbose=0)
model.compile(optimizer="adam")  # no loss given: the layer's loss alone is minimised
history = model.fit(rng.random((2, 3)), rng.random((2, 3)), verbose=0)
print(f"compiled without a loss: loss {history.history['loss'][0]:.4f}")


# ---- Putting it all together: an end-to-end example (the VAE) --------------------------------
class Encoder(keras.layers.Layer):
    """Maps digits to a triplet (z_mean, z_log_var, z)."""

    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = keras.layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = keras.layers.Dense(latent_dim)
        self.dense_log_var = keras.layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        return z_mean, z_log_var, z


class Decoder(keras.layers.Layer):
    """Converts z, the encoded digit vector, back into a readable digit."""

    def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = keras.layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = keras.layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        x = self.dense_proj(inputs)
        return self.dense_output(x)


class VariationalAutoEncoder(keras.Model):
    """Combines the encoder and decoder into an end-to-end model for training."""

    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        # Add KL divergence regularization loss.
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


from sklearn.datasets import load_digits  # noqa: E402  (the guide uses MNIST)

x_train = (load_digits().data / 16.0).astype("float32")
original_dim = 64
vae = VariationalAutoEncoder(original_dim, 64, 32)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
vae.compile(optimizer, loss=keras.losses.MeanSquaredError())
history = vae.fit(x_train, x_train, epochs=5, batch_size=64, verbose=0)
vae_losses = history.history["loss"]
print(f"VAE loss per epoch: {[round(v, 4) for v in vae_losses]}")
assert vae_losses[-1] < vae_losses[0]

print("OK: Linear, ComputeSum, lazy build, MLPBlock, SeedGenerator dropout (eager + fit), "
      "config, Sampling, add_loss, VAE")

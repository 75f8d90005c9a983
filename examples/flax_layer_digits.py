"""A Flax linen module inside a jkeras model: train with fit, save to `.keras`, load, predict.

The module (a small CNN with BatchNorm and Dropout on scikit-learn's 8x8 digits) is written in
plain Flax; `jkeras.layers.FlaxLayer` wraps it, its "params" become trainable weights and its
"batch_stats" non-trainable state, and its Dropout draws from the key fit gives each step. The
module class is registered with `get_config` / `from_config` so the model can be saved.
Needs Flax (`pip install flax`). The test accuracy must reach >= 90%, and the reloaded model
must predict exactly what the trained one does.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import flax.linen as nn
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import jkeras
from jkeras import layers

EPOCHS, BATCH = 15, 32
MIN_ACCURACY = 0.90


@jkeras.saving.register_keras_serializable(package="examples")
class DigitsCNN(nn.Module):
    features: int = 16

    @nn.compact
    def __call__(self, inputs, training=False):
        x = nn.Conv(self.features, (3, 3))(inputs)
        x = nn.BatchNorm(use_running_average=not training, momentum=0.9)(x)
        x = nn.max_pool(nn.relu(x), (2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        x = nn.Dropout(0.3, deterministic=not training)(nn.relu(nn.Dense(64)(x)))
        return nn.Dense(10)(x)

    def get_config(self):
        return {"features": self.features}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def load():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]  # (1797, 8, 8, 1)
    y = digits.target.astype(np.int32)
    return train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)


def main():
    x_train, x_test, y_train, y_test = load()
    jkeras.utils.set_random_seed(0)
    inputs = layers.Input(shape=(8, 8, 1))
    flax_layer = layers.FlaxLayer(DigitsCNN(features=16), name="flax_cnn")
    model = jkeras.Model(inputs, layers.Softmax()(flax_layer(inputs)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    print(f"weights: {len(flax_layer.trainable_weights)} trainable, "
          f"{len(flax_layer.non_trainable_weights)} non-trainable (batch_stats)")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH, verbose=0).history
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    first, last = history["loss"][0], history["loss"][-1]
    print(f"train loss {first:.3f} -> {last:.3f}, test accuracy {accuracy:.4f} "
          f"({time.perf_counter() - start:.1f}s)")
    assert last < 0.5 * first, f"the training loss did not fall enough: {first} -> {last}"
    assert accuracy >= MIN_ACCURACY, f"test accuracy {accuracy:.4f} < {MIN_ACCURACY}"

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flax_digits.keras")
        model.save(path)
        loaded = jkeras.models.load_model(path)
    same = np.array_equal(loaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    _, loaded_accuracy = loaded.evaluate(x_test, y_test, verbose=0)
    print(f"reloaded from .keras: same predictions {same}, test accuracy {loaded_accuracy:.4f}")
    assert same and loaded_accuracy == accuracy
    print(f"OK: FlaxLayer model trained (test accuracy {accuracy:.4f} >= {MIN_ACCURACY}), "
          "saved and loaded")


if __name__ == "__main__":
    main()

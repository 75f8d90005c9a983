"""Transfer learning's two-phase recipe with `jkeras.applications.MobileNetV2`, on scikit-learn's
real 8x8 digits upscaled to 32x32 RGB (no download).

Keras's guide (keras.io/guides/transfer_learning) in jkeras, after a stand-in for ImageNet:
  0. Pretrain: MobileNetV2(alpha=0.35, weights=None, include_top=False, input_shape=(32, 32, 3))
     plus a throwaway head, trained on the digits 0-4 only (the "source task"). jkeras never
     downloads, so this replaces `weights="imagenet"` (put Keras's ImageNet file in
     ~/.keras/models/ and pass weights="imagenet" for the real thing). A random MobileNetV2 in
     inference mode outputs ~1e-12 (BatchNorm moving statistics still 0 and 1; random features
     calibrated to the data reach only ~20% here), so the frozen phase needs trained features;
     BatchNorm momentum is lowered to 0.9 for this short run (0.999 is for long ImageNet runs).
  1. Freeze: base.trainable = False; the base is called with `training=False`, so its
     BatchNorm layers stay in inference mode (moving statistics) in both later phases. Train
     only a new head (pooling, dropout, Dense softmax) on all ten digits (the "target task").
  2. Fine-tune: unfreeze the top blocks of the base (block_13 onward), recompile with a lower
     learning rate, train again.
The script prints each phase's held-out accuracy on all ten digits and asserts that the frozen
phase is well above chance (10%) and that fine-tuning improved on it.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits

import jkeras
from jkeras import layers
from jkeras.applications import mobilenet_v2

FIRST_TRAINABLE = "block_13_expand"  # phase 2 unfreezes from here on
BATCH = 50


def load(seed=0):
    digits = load_digits()
    x = digits.images.astype("float32") * (255.0 / 16.0)          # [0, 255], as photos
    x = np.repeat(np.repeat(x, 4, axis=1), 4, axis=2)               # 8x8 -> 32x32
    x = np.repeat(x[..., None], 3, axis=-1)                         # grey -> RGB
    x = mobilenet_v2.preprocess_input(x)                            # [-1, 1]
    y = digits.target.astype("int32")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    return (x[:1400], y[:1400]), (x[1400:], y[1400:])


def head(base, inputs):
    x = base(inputs, training=False)  # BatchNorm in inference mode, frozen or not
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    return jkeras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def pretrain(x, y):
    """The stand-in for ImageNet weights: the base trained on the digits 0-4 only."""
    base = jkeras.applications.MobileNetV2(alpha=0.35, weights=None, include_top=False,
                                           input_shape=(32, 32, 3))
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.9  # a short run: let the moving statistics catch up
    inputs = jkeras.Input((32, 32, 3))
    features = layers.GlobalAveragePooling2D()(base(inputs))
    model = jkeras.Model(inputs, layers.Dense(5, activation="softmax")(features))
    model.compile(optimizer=jkeras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy")
    model.fit(x[y < 5], y[y < 5], batch_size=BATCH, epochs=4, verbose=0)
    return base


def unfreeze_top(base, first=FIRST_TRAINABLE):
    base.trainable = True
    cut = [layer.name for layer in base.layers].index(first)
    for layer in base.layers[:cut]:
        layer.trainable = False
    return len(base.layers) - cut


def main():
    jkeras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load()
    start = time.perf_counter()
    base = pretrain(x_train, y_train)
    print(f"pretrained '{base.name}' on digits 0-4: {len(base.layers)} layers, "
          f"{base.count_params():,} parameters ({time.perf_counter() - start:.1f}s)")

    base.trainable = False
    model = head(base, jkeras.Input((32, 32, 3)))
    model.compile(optimizer=jkeras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"phase 1 (frozen base): {len(model.trainable_weights)} trainable weight tensors")
    model.fit(x_train, y_train, batch_size=BATCH, epochs=4, verbose=0)
    _, frozen_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"frozen-base accuracy: {frozen_accuracy:.4f}")

    unfrozen = unfreeze_top(base)
    model.compile(optimizer=jkeras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"phase 2 (top {unfrozen} layers of the base unfrozen): "
          f"{len(model.trainable_weights)} trainable weight tensors")
    model.fit(x_train, y_train, batch_size=BATCH, epochs=4, verbose=0)
    _, tuned_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"fine-tuned accuracy: {tuned_accuracy:.4f}")
    print(f"all phases: {time.perf_counter() - start:.1f}s")

    assert frozen_accuracy > 0.3, frozen_accuracy
    assert tuned_accuracy > frozen_accuracy, (frozen_accuracy, tuned_accuracy)
    print("OK: fine-tuning beat the frozen base, both well above chance")


if __name__ == "__main__":
    main()

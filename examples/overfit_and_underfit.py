"""TensorFlow's "Overfit and underfit" tutorial on real offline data (scikit-learn's breast
cancer set, 569 samples, 30 features), with the import changed to jkeras.

A "large" model trained on a small training set overfits; the tutorial's remedies are compared:
weight regularization (`kernel_regularizer=regularizers.l2(0.001)`), Dropout, and both. As in the
tutorial, the L2 models report a `loss` above their `binary_crossentropy` metric: the loss fit
minimises includes the regularization penalties (`model.losses`).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import jkeras
from jkeras import layers, regularizers

EPOCHS, BATCH = 100, 32


def get_optimizer(steps_per_epoch):
    lr_schedule = jkeras.optimizers.schedules.InverseTimeDecay(
        0.001, decay_steps=steps_per_epoch * 50, decay_rate=1, staircase=False)
    return jkeras.optimizers.Adam(lr_schedule)


def large_model(l2=None, dropout=None):
    stack = [jkeras.Input(shape=(30,))]
    for _ in range(4):
        stack.append(layers.Dense(128, activation="elu",
                                  kernel_regularizer=regularizers.l2(l2) if l2 else None))
        if dropout:
            stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1))  # logits
    return jkeras.Sequential(stack)


def compile_and_fit(model, name, data, steps_per_epoch):
    x_train, y_train, x_val, y_val = data
    model.compile(optimizer=get_optimizer(steps_per_epoch),
                  loss=jkeras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[jkeras.losses.BinaryCrossentropy(from_logits=True,
                                                            name="binary_crossentropy"),
                           "accuracy"])
    history = model.fit(x_train, y_train, batch_size=BATCH, epochs=EPOCHS,
                        validation_data=(x_val, y_val), verbose=0)
    h = history.history
    print(f"{name:>12}: loss {h['loss'][0]:.4f} -> {h['loss'][-1]:.4f}, "
          f"binary_crossentropy {h['binary_crossentropy'][-1]:.4f}, "
          f"val_binary_crossentropy {h['val_binary_crossentropy'][-1]:.4f}, "
          f"val_accuracy {h['val_accuracy'][-1]:.4f}, penalties {len(model.losses)}")
    return history


def main():
    jkeras.utils.set_random_seed(0)
    data = load_breast_cancer()
    x = data.data.astype("float32")
    y = data.target.astype("float32")[:, None]
    # A deliberately small training set (as the tutorial's 1,000 of 11M rows): overfitting shows.
    x_train, x_val, y_train, y_val = train_test_split(x, y, train_size=120, random_state=0,
                                                      stratify=y)
    norm = layers.Normalization()
    norm.adapt(x_train)
    x_train, x_val = np.asarray(norm(x_train)), np.asarray(norm(x_val))
    steps_per_epoch = -(-len(x_train) // BATCH)
    splits = (x_train, y_train, x_val, y_val)

    histories = {}
    for name, kwargs in [("large", {}), ("l2", {"l2": 0.001}), ("dropout", {"dropout": 0.5}),
                         ("combined", {"l2": 0.0001, "dropout": 0.5})]:
        histories[name] = compile_and_fit(large_model(**kwargs), name, splits, steps_per_epoch)

    for name, history in histories.items():
        h = history.history
        gap = h["val_binary_crossentropy"][-1] - h["binary_crossentropy"][-1]
        print(f"{name:>12}: validation minus training crossentropy {gap:.4f}")
        assert h["loss"][-1] < h["loss"][0], f"{name}: training did not lower the loss"
    l2 = histories["l2"].history
    # The L2 penalty is part of the reported loss, so it exceeds the plain crossentropy.
    assert l2["loss"][-1] > l2["binary_crossentropy"][-1]
    print("regularized loss includes the L2 penalty: "
          f"{l2['loss'][-1]:.4f} > {l2['binary_crossentropy'][-1]:.4f}")


if __name__ == "__main__":
    main()

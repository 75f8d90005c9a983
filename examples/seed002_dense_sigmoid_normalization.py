"""Seed 002: Dense layers by hand, Normalization, and the coffee-roasting network.

From notes on the Coursera "Advanced Learning Algorithms" labs (C2 W1):
- a linear Dense layer has no weights until its first call; after `set_weights` its output is
  exactly the NumPy computation;
- a Sequential with an Input already has weights; `get_layer('L1')`, `set_weights`, `predict`
  match NumPy's sigmoid;
- `Normalization.adapt` on the coffee data, then a 2-3-1 sigmoid network fitted with
  BinaryCrossentropy and Adam(0.01) on the data tiled 1000x, as the lab does.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np

import jkeras
import jkeras.losses
import jkeras.optimizers
from jkeras import layers
from jkeras.layers import Dense, Input

X_train = np.array([[1.0], [2.0]], dtype=np.float32)  # linear lab: size in 1000 sqft
X_train_logistic = np.array([0., 1, 2, 3, 4, 5], dtype=np.float32).reshape(-1, 1)  # logistic lab


def sigmoidnp(z):
    return 1 / (1 + np.exp(-z))


def load_coffee_data():
    """The lab's synthetic coffee roasts: 200 (temperature, duration) pairs and good/bad labels.

    Good roasts: 175 < T < 260 C, 12 < d < 15 min, and below the line d = 21 - 3/85 T.
    """
    rng = np.random.default_rng(2)
    X = rng.random(400).reshape(-1, 2)
    X[:, 1] = X[:, 1] * 4 + 11.5          # duration 11.5-15.5 min
    X[:, 0] = X[:, 0] * (285 - 150) + 150  # temperature 150-285 C
    t, d = X[:, 0], X[:, 1]
    good = (t > 175) & (t < 260) & (d > 12) & (d < 15) & (d <= -3 / (260 - 175) * t + 21)
    return X, good.astype(np.float64).reshape(-1, 1)


def linear_layer():
    linear_layer = Dense(units=1, activation='linear')
    print(linear_layer.get_weights())
    assert linear_layer.get_weights() == []  # weights are created on the first call
    a1 = linear_layer(X_train[0].reshape(1, 1))
    print(a1)

    set_w = np.array([[200]])
    set_b = np.array([100])
    linear_layer.set_weights([set_w, set_b])  # set_weights takes a list of numpy arrays
    print(linear_layer.get_weights())
    w, b = linear_layer.get_weights()
    assert w.dtype == np.float32 and w.tolist() == [[200.0]] and b.tolist() == [100.0]

    prediction_tf = linear_layer(X_train)
    prediction_np = np.dot(X_train, set_w) + set_b
    print(prediction_tf, prediction_np)
    np.testing.assert_allclose(prediction_tf, prediction_np)


def logistic_layer():
    model = jkeras.Sequential([
        Input(shape=(1,)),
        Dense(1, activation='sigmoid', name='L1'),
    ])
    model.summary()
    logistic_layer = model.get_layer('L1')
    w, b = logistic_layer.get_weights()  # built already: the Input gave the shape
    print(w, b)
    print(w.shape, b.shape)
    assert w.shape == (1, 1) and b.tolist() == [0.0]

    set_w = np.array([[2]])
    set_b = np.array([-4.5])
    logistic_layer.set_weights([set_w, set_b])
    print(logistic_layer.get_weights())
    X_train = X_train_logistic
    a1 = model.predict(X_train[0].reshape(1, 1))
    print(a1)
    alog = sigmoidnp(np.dot(set_w, X_train[0].reshape(1, 1)) + set_b)
    print(alog)
    np.testing.assert_allclose(a1, alog, rtol=1e-6)
    assert f"{float(a1[0, 0]):.2f}" == "0.01"  # what the seed prints


def normalize_coffee():
    X, Y = load_coffee_data()
    print(X.shape, Y.shape)
    print(f"Temperature Max, Min pre normalization: {np.max(X[:,0]):0.2f}, {np.min(X[:,0]):0.2f}")
    print(f"Duration    Max, Min pre normalization: {np.max(X[:,1]):0.2f}, {np.min(X[:,1]):0.2f}")
    norm_l = layers.Normalization(axis=-1)
    norm_l.adapt(X)  # learns mean, variance
    Xn = np.asarray(norm_l(X))
    print(f"Temperature Max, Min post normalization: {np.max(Xn[:,0]):0.2f}, {np.min(Xn[:,0]):0.2f}")
    print(f"Duration    Max, Min post normalization: {np.max(Xn[:,1]):0.2f}, {np.min(Xn[:,1]):0.2f}")
    # The numbers the seed prints.
    assert X.shape == (200, 2) and Y.shape == (200, 1)
    assert [round(v, 2) for v in (X[:, 0].max(), X[:, 0].min(), X[:, 1].max(), X[:, 1].min())] \
        == [284.99, 151.32, 15.45, 11.51]
    assert [round(float(v), 2) for v in (Xn[:, 0].max(), Xn[:, 0].min(), Xn[:, 1].max(),
                                         Xn[:, 1].min())] == [1.66, -1.69, 1.79, -1.70]
    return norm_l, Xn, Y


def coffee_network(norm_l, Xn, Y):
    Xt = np.tile(Xn, (1000, 1))  # the lab repeats the 200 samples to get more steps per epoch
    Yt = np.tile(Y, (1000, 1))
    print(Xt.shape, Yt.shape)

    jkeras.utils.set_random_seed(1234)  # applied to achieve consistent results
    model = jkeras.Sequential([
        Input(shape=(2,)),
        Dense(3, activation='sigmoid', name='layer1'),
        Dense(1, activation='sigmoid', name='layer2'),
    ])
    model.summary()
    assert model.count_params() == (2 * 3 + 3) + (3 * 1 + 1)

    def show_weights():
        W1, b1 = model.get_layer("layer1").get_weights()
        W2, b2 = model.get_layer("layer2").get_weights()
        print(f"W1{W1.shape}:\n", W1, f"\nb1{b1.shape}:", b1)
        print(f"W2{W2.shape}:\n", W2, f"\nb2{b2.shape}:", b2)

    show_weights()
    model.compile(
        loss=jkeras.losses.BinaryCrossentropy(),
        optimizer=jkeras.optimizers.Adam(learning_rate=0.01),
    )
    history = model.fit(Xt, Yt, epochs=10)
    show_weights()

    losses = history.history["loss"]
    print("loss per epoch:", np.round(losses, 4))
    assert losses[-1] < losses[0]
    # New roasts go through the same normalisation, then a 0.5 threshold.
    X_test = np.array([[200, 13.9], [200, 17]])  # a good roast, a bad roast
    predictions = model.predict(norm_l(X_test))
    print("predictions =\n", predictions)
    yhat = (model.predict(Xn) >= 0.5).astype(float)
    accuracy = float(np.mean(yhat == Y))
    print(f"accuracy on the 200 roasts: {accuracy:.3f}")
    assert accuracy >= 0.95, accuracy
    assert predictions[0, 0] > 0.5 > predictions[1, 0]


def main():
    jkeras.utils.set_random_seed(0)
    linear_layer()
    logistic_layer()
    norm_l, Xn, Y = normalize_coffee()
    coffee_network(norm_l, Xn, Y)
    print("OK: Dense == NumPy, predict == sigmoid, Normalization as the seed, coffee net fits")


if __name__ == "__main__":
    main()

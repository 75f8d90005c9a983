"""Seed 003: tensors, automatic differentiation and linear regression three ways.

The tutorial (TF2 notes, after "简单粗暴 TensorFlow 2") does tensor arithmetic, differentiates
y = x^2 and L = sum((Xw + b - y)^2) with GradientTape, then fits house prices 2013-2017 with
plain NumPy, with TF + SGD(1e-3), and introduces the `Linear(tf.keras.Model)` class.
Here: `jax.grad` plays GradientTape, the Keras-exact SGD is an optax transform, and the 10,000
steps run as one compiled `jax.lax.scan` (a Python loop of 10,000 eager steps is what makes
the TF version slow). All three fits must give a ~ 0.976, b ~ 0.058.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jkeras
import jkeras.optimizers
from jkeras import layers

NUM_EPOCH = 10000
LR = 1e-3
EXPECTED_A, EXPECTED_B = 0.9763702027872221, 0.057564988311377796  # the tutorial's NumPy output


def tensors_and_autodiff():
    A = jnp.array([[1., 2.], [3., 4.]])
    B = jnp.array([[5., 6.], [7., 8.]])
    C = jnp.add(A, B)
    D = jnp.matmul(A, B)
    print("A + B =\n", C)
    print("A @ B =\n", D)
    np.testing.assert_array_equal(C, [[6., 8.], [10., 12.]])
    np.testing.assert_array_equal(D, [[19., 22.], [43., 50.]])

    # y = x^2 at x = 3: no tape, just a function and its derivative.
    x = 3.0
    y, y_grad = jax.value_and_grad(jnp.square)(x)
    print("[y, dy/dx] =", [float(y), float(y_grad)])
    assert float(y) == 9.0 and float(y_grad) == 6.0

    # L = sum((Xw + b - y)^2): grad w.r.t. (w, b) with argnums.
    X = jnp.array([[1., 2.], [3., 4.]])
    y = jnp.array([[1.], [2.]])
    w = jnp.array([[1.], [2.]])
    b = 1.0

    def L(w, b):
        return jnp.sum(jnp.square(jnp.matmul(X, w) + b - y))

    loss = L(w, b)
    w_grad, b_grad = jax.grad(L, argnums=(0, 1))(w, b)
    print("L =", loss, "\nw_grad =\n", w_grad, "\nb_grad =", b_grad)
    # By hand: r = Xw + b - y = [[5], [10]]; dL/dw = 2 X^T r, dL/db = 2 sum(r).
    assert float(loss) == 125.0
    np.testing.assert_allclose(w_grad, [[70.], [100.]])
    assert float(b_grad) == 30.0


def house_prices():
    X_raw = np.array([2013, 2014, 2015, 2016, 2017], dtype=np.float32)
    y_raw = np.array([12000, 14000, 15000, 16500, 17500], dtype=np.float32)
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())  # normalise to [0, 1]
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())
    return X, y


def fit_numpy(X, y):
    a, b = 0, 0
    X, y = X.astype(np.float64), y.astype(np.float64)  # the tutorial's NumPy ran in float64
    for _ in range(NUM_EPOCH):
        y_pred = a * X + b
        grad_a, grad_b = (y_pred - y).dot(X), (y_pred - y).sum()
        a, b = a - LR * grad_a, b - LR * grad_b
    return a, b


def scan_fit(loss_fn, params):
    """10,000 steps of Keras SGD(1e-3), fused into one compiled scan."""
    optimizer = jkeras.optimizers.SGD(learning_rate=LR)

    def step(carry, _):
        params, opt_state = carry
        grads = jax.grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), None

    run = jax.jit(lambda carry: jax.lax.scan(step, carry, None, length=NUM_EPOCH)[0])
    params, _ = run((params, optimizer.init(params)))
    return params


def fit_jax(X, y):
    X, y = jnp.asarray(X), jnp.asarray(y)
    variables = {"a": jnp.float32(0.), "b": jnp.float32(0.)}

    def loss(v):
        y_pred = v["a"] * X + v["b"]
        return 0.5 * jnp.sum(jnp.square(y_pred - y))

    out = scan_fit(loss, variables)
    return float(out["a"]), float(out["b"])


class Linear(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(units=1, activation=None,
                                  kernel_initializer="zeros", bias_initializer="zeros")

    def call(self, input):
        return self.dense(input)


def fit_model(X, y):
    X, y = jnp.asarray(X)[:, None], jnp.asarray(y)[:, None]  # Dense wants (batch, features)
    model = Linear()
    variables = model.init(jax.random.key(0), X)

    def loss(params):
        y_pred, _ = model.apply({"params": params, "state": variables["state"]}, X)
        return 0.5 * jnp.sum(jnp.square(y_pred - y))

    params = scan_fit(loss, variables["params"])
    model.set_variables({"params": params, "state": variables["state"]})  # back into the facade
    print("Linear model weights:", model.weights)
    kernel, bias = model.get_weights()
    return float(kernel[0, 0]), float(bias[0])


def main():
    tensors_and_autodiff()
    X, y = house_prices()
    results = {"numpy": fit_numpy(X, y), "jax + SGD": fit_jax(X, y), "jkeras Linear": fit_model(X, y)}
    for name, (a, b) in results.items():
        print(f"{name:>13}: a = {a:.6f}, b = {b:.6f}")
        assert abs(a - EXPECTED_A) < 1e-4 and abs(b - EXPECTED_B) < 1e-4, (name, a, b)
    print("OK: all three fits give a ~ 0.976, b ~ 0.058")


if __name__ == "__main__":
    main()

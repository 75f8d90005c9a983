"""Seed 000: linear regression with a subclassed `Model` (tf.keras tutorial, 2021).

The tutorial fits y = X @ w + b with a `Linear(tf.keras.Model)` holding one zero-initialised
Dense layer, 100 steps of SGD(0.01) under a GradientTape, then prints `model.variables`.

jkeras offers two ways to write that loop:
  1. pure: `model.init` / `model.apply` + `jax.value_and_grad`, the Keras SGD as an optax transform;
  2. Keras-like: `model.stateless_call` for the loss, `optimizer.apply_gradients(zip(grads,
     model.trainable_variables))` to update the held weights, as the tutorial does.
Both must land on the same weights (and on TF's numbers from the tutorial).
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

X = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
y = jnp.array([[10.0], [20.0]])
STEPS = 100

# What tf.keras prints for this program (TF 2.x, float32).
TF_KERNEL = np.array([[0.40784496], [1.191065], [1.9742855]], np.float32)
TF_BIAS = np.array([0.78322077], np.float32)


class Linear(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(
            units=1,
            activation=None,
            kernel_initializer=jkeras.initializers.Zeros(),
            bias_initializer=jkeras.initializers.Zeros(),
        )

    def call(self, input):
        return self.dense(input)


def train_pure():
    """The functional loop: variables are a pytree, the step is one jitted function."""
    model = Linear()
    variables = model.init(jax.random.key(0), X)  # {"params": {"dense": {kernel, bias}}, "state": {}}
    optimizer = jkeras.optimizers.SGD(learning_rate=0.01)  # an optax GradientTransformation
    opt_state = optimizer.init(variables["params"])

    def loss_fn(params):
        y_pred, _ = model.apply({"params": params, "state": variables["state"]}, X)
        return jnp.mean(jnp.square(y_pred - y))

    @jax.jit
    def step(params, opt_state):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    params = variables["params"]
    for _ in range(STEPS):
        params, opt_state, loss = step(params, opt_state)
    print(f"pure loop:   loss after {STEPS} steps = {float(loss):.6f}")
    print("pure loop:   params =", jax.tree_util.tree_map(np.asarray, params))
    return params


def train_facade():
    """The tutorial's loop: held weights, grads w.r.t. `model.trainable_variables`."""
    model = Linear()
    model(X)  # build (as the tutorial's first `model(X)` does)
    optimizer = jkeras.optimizers.SGD(learning_rate=0.01)

    # GradientTape's job is done by jax.grad over the weights' *values*; stateless_call runs
    # the model on those values without touching the held weights.
    def loss_fn(trainable_values):
        y_pred, _ = model.stateless_call(trainable_values, [], X)
        return jnp.mean(jnp.square(y_pred - y))

    grad_fn = jax.jit(jax.value_and_grad(loss_fn))
    for _ in range(STEPS):
        loss, grads = grad_fn([v.value for v in model.trainable_variables])
        optimizer.apply_gradients(grads_and_vars=zip(grads, model.trainable_variables))
    print(f"facade loop: loss after {STEPS} steps = {float(loss):.6f}")
    print(model.variables)
    return model


def main():
    params = train_pure()
    model = train_facade()

    kernel, bias = model.get_weights()
    # Same math, same order of float32 ops: the two loops agree to rounding.
    np.testing.assert_allclose(kernel, params["dense"]["kernel"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(bias, params["dense"]["bias"], rtol=1e-6, atol=1e-6)
    # ... and with what tf.keras prints for the tutorial.
    np.testing.assert_allclose(kernel, TF_KERNEL, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bias, TF_BIAS, rtol=1e-5, atol=1e-5)
    # get_variables() is the facade's weights as the pure pytree.
    held = model.get_variables()["params"]
    np.testing.assert_allclose(held[model.dense.name]["kernel"], kernel)
    print("OK: pure loop == facade loop == tf.keras: "
          f"kernel={np.array2string(kernel.ravel(), precision=4)}, "
          f"bias={np.array2string(bias, precision=4)}")


if __name__ == "__main__":
    main()

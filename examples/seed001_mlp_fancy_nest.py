"""Seed 001: model construction (Dive into Deep Learning, TF2 edition, ch. "model construction").

- MLP as a `Model` subclass and as a `Sequential`: same layers, same parameter count;
- FancyMLP: a constant (not a weight), a reused Dense (shared weights) and Python control flow
  on values (`while norm(x) > 1`), which works eagerly and under `jax.grad`, but not under
  `jax.jit`: jkeras raises an error naming the model and the way out (`jax.lax.while_loop`);
- NestMLP and a Sequential that nests models inside a model.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import jax
import jax.numpy as jnp
import numpy as np

import jkeras
from jkeras import layers


class MLP(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = layers.Flatten()
        self.dense1 = layers.Dense(units=256, activation=jax.nn.relu)
        self.dense2 = layers.Dense(units=10)

    def call(self, inputs):
        x = self.flatten(inputs)
        x = self.dense1(x)
        return self.dense2(x)


class FancyMLP(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = layers.Flatten()
        # A plain array on the model is a constant: not a weight, never trained.
        self.rand_weight = jax.random.normal(jax.random.key(42), (20, 20))
        self.dense = layers.Dense(units=20, activation=jax.nn.relu)

    def call(self, inputs):
        x = self.flatten(inputs)
        x = jax.nn.relu(jnp.matmul(x, self.rand_weight) + 1)
        x = self.dense(x)
        x = self.dense(x)  # the same layer again: both calls share one kernel and bias
        # Python control flow on values: fine eagerly, impossible to trace under jit.
        while jnp.linalg.norm(x) > 1:
            x /= 2
        if jnp.linalg.norm(x) < 0.8:
            x *= 10
        return jnp.sum(x)


class JitFancyMLP(FancyMLP):
    """The jit-friendly rewrite the error message suggests: lax.while_loop and jnp.where."""

    def call(self, inputs):
        x = self.flatten(inputs)
        x = jax.nn.relu(jnp.matmul(x, self.rand_weight) + 1)
        x = self.dense(self.dense(x))
        x = jax.lax.while_loop(lambda x: jnp.linalg.norm(x) > 1, lambda x: x / 2, x)
        x = jnp.where(jnp.linalg.norm(x) < 0.8, x * 10, x)
        return jnp.sum(x)


class NestMLP(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.net = jkeras.Sequential()
        self.net.add(layers.Flatten())
        self.net.add(layers.Dense(units=64, activation=jax.nn.relu))
        self.net.add(layers.Dense(units=32, activation=jax.nn.relu))
        self.dense = layers.Dense(units=16, activation=jax.nn.relu)

    def call(self, inputs):
        return self.dense(self.net(inputs))


def main():
    jkeras.utils.set_random_seed(0)
    x = jax.random.uniform(jax.random.key(0), (2, 20))  # tf.random.uniform((2, 20))

    # --- MLP, subclassed and Sequential ------------------------------------------------------
    net = MLP()
    print("MLP(x) =\n", net(x))
    model = jkeras.Sequential([
        layers.Flatten(),
        layers.Dense(units=256, activation=jax.nn.relu),
        layers.Dense(units=10),
    ])
    print("Sequential(x) =\n", model(x))
    print("params: MLP", net.count_params(), "Sequential", model.count_params())
    assert net.count_params() == model.count_params() == 20 * 256 + 256 + 256 * 10 + 10
    # Same weight order (Flatten, dense1, dense2), so weights copy over and outputs agree.
    model.set_weights(net.get_weights())
    np.testing.assert_allclose(model(x), net(x), rtol=1e-6)

    # --- FancyMLP, eager ---------------------------------------------------------------------
    fancy = FancyMLP()
    out = fancy(x)
    print("FancyMLP(x) =", out)
    assert out.shape == ()
    assert len(fancy.weights) == 2  # the reused Dense owns one kernel and one bias

    # jax.grad traces with concrete values (no jit), so the while/if still run in Python.
    variables = fancy.get_variables()

    def fancy_out(params):
        y, _ = fancy.apply({"params": params, "state": variables["state"]}, x)
        return y

    grads = jax.grad(fancy_out)(variables["params"])
    print("grad shapes:", jax.tree_util.tree_map(jnp.shape, grads))
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree_util.tree_leaves(grads))

    # Under jit the loop condition is a tracer: jkeras names the model and the fix.
    try:
        jax.jit(fancy_out)(variables["params"])
    except Exception as e:  # noqa: BLE001 - we print whatever the library raises
        print(f"jit(FancyMLP) raised {type(e).__name__}:\n  {e}")
        assert fancy.name in str(e) and "jax.lax.while_loop" in str(e)
    else:
        raise AssertionError("jit of Python control flow on values should fail")

    # The rewrite jits, and gives the eager answer (same weights, same constant).
    fixed = JitFancyMLP()
    fixed(x)
    fixed.rand_weight = fancy.rand_weight
    fixed.set_weights(fancy.get_weights())
    jitted = jax.jit(lambda v, x: fixed.apply(v, x)[0])(fixed.get_variables(), x)
    print("jit(JitFancyMLP)(x) =", jitted)
    np.testing.assert_allclose(jitted, out, rtol=1e-5)

    # --- Nesting models ----------------------------------------------------------------------
    net = jkeras.Sequential()
    net.add(NestMLP())
    net.add(layers.Dense(20))
    net.add(FancyMLP())
    y = net(x)
    print("Sequential(NestMLP, Dense(20), FancyMLP)(x) =", y)
    net.summary()
    nest = net.layers[0]
    assert nest.count_params() == (20 * 64 + 64) + (64 * 32 + 32) + (32 * 16 + 16)
    assert net.count_params() == nest.count_params() + (16 * 20 + 20) + (20 * 20 + 20)
    # The variables nest by layer name, as the models nest.
    print("variables tree:", jax.tree_util.tree_map(jnp.shape, net.get_variables()["params"]))
    print("OK: subclass == Sequential, FancyMLP eager + grad, jit error, nesting")


if __name__ == "__main__":
    main()

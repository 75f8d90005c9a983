"""Subclassed models: tracking in assignment order, lists/dicts, constants, control flow, jit errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.core.errors import TracedControlFlowError


class MLP(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = L.Flatten()
        self.dense1 = L.Dense(units=256, activation=jax.nn.relu)
        self.dense2 = L.Dense(units=10)

    def call(self, inputs):
        return self.dense2(self.dense1(self.flatten(inputs)))


class FancyMLP(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = L.Flatten()
        self.rand_weight = jax.random.normal(jax.random.PRNGKey(0), (20, 20))
        self.dense = L.Dense(units=20, activation=jax.nn.relu)

    def call(self, inputs):
        x = self.flatten(inputs)
        x = jax.nn.relu(jnp.matmul(x, self.rand_weight) + 1)
        x = self.dense(x)
        x = self.dense(x)  # the same layer twice: one set of weights
        while jnp.linalg.norm(x) > 1:
            x /= 2
        if jnp.linalg.norm(x) < 0.8:
            x *= 10
        return jnp.sum(x)


class Blocks(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [L.Dense(4), L.Dense(4)]
        self.heads = {"a": L.Dense(1), "b": L.Dense(2)}
        self.blocks.append(L.Dense(4))  # appended after assignment: still tracked

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.heads["a"](x), self.heads["b"](x)


def test_mlp_weights_in_assignment_order():
    net = MLP()
    assert net.weights == [] and not net.built
    y = net(np.random.default_rng(0).uniform(size=(2, 20)).astype(np.float32))
    assert y.shape == (2, 10)
    assert [w.path for w in net.weights] == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert [layer.name for layer in net.layers] == ["flatten", "dense", "dense_1"]
    assert net.name == "mlp"


def test_layers_in_lists_and_dicts_are_tracked():
    model = Blocks()
    a, b = model(np.ones((3, 5), np.float32))
    assert a.shape == (3, 1) and b.shape == (3, 2)
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2", "dense_3", "dense_4"]


def test_fancy_mlp_eager_control_flow_constants_and_reuse():
    net = FancyMLP()
    x = jax.random.uniform(jax.random.PRNGKey(1), (2, 20))
    y = net(x)
    assert y.shape == () and np.isfinite(float(y))
    assert len(net.weights) == 2  # rand_weight is a constant, dense is shared
    grads = jax.grad(lambda p: net.apply({"params": p}, x)[0])(net.get_variables()["params"])
    assert all(bool(jnp.isfinite(g).all()) for g in jax.tree_util.tree_leaves(grads))


def test_fancy_mlp_under_jit_names_the_model_and_the_way_out():
    net = FancyMLP()
    x = jax.random.uniform(jax.random.PRNGKey(1), (2, 20))
    net(x)
    with pytest.raises(TracedControlFlowError) as info:
        jax.jit(net.apply)(net.get_variables(), x)
    message = str(info.value)
    assert "'fancy_mlp'" in message and "FancyMLP" in message
    assert "jax.lax.while_loop" in message and "run_eagerly=True" in message


def test_nested_models_and_sequential_of_subclassed():
    class NestMLP(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.net = jkeras.Sequential()
            self.net.add(L.Flatten())
            self.net.add(L.Dense(units=64, activation=jax.nn.relu))
            self.net.add(L.Dense(units=32, activation=jax.nn.relu))
            self.dense = L.Dense(units=16, activation=jax.nn.relu)

        def call(self, inputs):
            return self.dense(self.net(inputs))

    net = jkeras.Sequential()
    net.add(NestMLP())
    net.add(L.Dense(20))
    net.add(FancyMLP())
    x = jax.random.uniform(jax.random.PRNGKey(1), (2, 20))
    assert net(x).shape == ()
    assert [w.shape for w in net.weights] == [(20, 64), (64,), (64, 32), (32,), (32, 16), (16,),
                                              (16, 20), (20,), (20, 20), (20,)]


def test_subclassed_model_with_own_weights():
    class Affine(jkeras.Model):
        def build(self, input_shape):
            pass

        def __init__(self):
            super().__init__()
            self.w = self.add_weight(shape=(2,), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    model = Affine()
    np.testing.assert_allclose(model(np.full((1, 2), 3.0, np.float32)), [[3.0, 3.0]])
    assert model.get_variables()["params"] == {"w": model.get_variables()["params"]["w"]}


def test_stateless_call_on_value_lists():
    net = MLP()
    x = np.ones((2, 20), np.float32)
    net(x)
    values = [w.value * 0 for w in net.trainable_variables]
    y, state = net.stateless_call(values, [], x)
    np.testing.assert_allclose(y, np.zeros((2, 10)))
    assert state == []


def _own_build_model(lib):
    class OwnBuild(lib.Model):
        def __init__(self):
            super().__init__()
            self.dense = lib.layers.Dense(2)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 3), name="w")

        def call(self, x):
            return self.dense(x @ self.w)
    return OwnBuild()


def test_subclassed_model_with_weights_of_its_own_in_build(tf):
    import numpy as np
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    ours, theirs = _own_build_model(jkeras), _own_build_model(tf.keras)
    ours(x), theirs(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-5, atol=1e-6)
    ours.compile(optimizer="sgd", loss="mse")
    before = ours.get_weights()[0].copy()
    ours.fit(x, np.ones((4, 2), np.float32), verbose=0)
    assert not np.allclose(before, ours.get_weights()[0])  # the model's own weight trains
    built = _own_build_model(jkeras)
    built.build((None, 5))
    assert built.built and [w.shape for w in built.weights][0] == (5, 3)

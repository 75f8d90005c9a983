"""Custom train steps with several optimizers (the GAN pattern), SeedGenerator draws inside a
step, and Keras's rule for when a Model subclass is functional."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def dense_model(name, n_in, n_out):
    return jkeras.Sequential([jkeras.Input(shape=(n_in,)), L.Dense(n_out)], name=name)


class TwoParts(jkeras.Model):
    """A trains on y with `a_opt`; B trains on A's output with `b_opt`; `self.optimizer`'s
    variables ride along untouched."""

    def __init__(self):
        super().__init__()
        self.a = dense_model("a", 3, 2)
        self.b = dense_model("b", 2, 1)

    def compile(self, a_opt, b_opt, build=True):
        super().compile()
        self.a_opt, self.b_opt = a_opt, b_opt
        if build:
            a_opt.build(self.a.trainable_variables)
            b_opt.build(self.b.trainable_variables)

    def call(self, x):
        return self.b(self.a(x))

    def train_step(self, state, data):
        trainable, non_trainable, opt_vars, metric_vars = state
        x, y = data
        a_vars, b_vars = trainable[:2], trainable[2:]
        n0, na = len(self.optimizer.variables), len(self.a_opt.variables)
        own, a_opt, b_opt = opt_vars[:n0], opt_vars[n0:n0 + na], opt_vars[n0 + na:]

        def a_loss(v):
            return jax.numpy.mean((self.a.stateless_call(v, [], x)[0] - y[:, :2]) ** 2)

        grads = jax.grad(a_loss)(a_vars)
        a_vars, a_opt = self.a_opt.stateless_apply(a_opt, grads, a_vars)
        h = self.a.stateless_call(a_vars, [], x)[0]

        def b_loss(v):
            return jax.numpy.mean((self.b.stateless_call(v, [], h)[0] - y[:, 2:]) ** 2)

        loss, grads = jax.value_and_grad(b_loss)(b_vars)
        b_vars, b_opt = self.b_opt.stateless_apply(b_opt, grads, b_vars)
        return {"b_loss": loss}, (a_vars + b_vars, non_trainable,
                                  list(own) + list(a_opt) + list(b_opt), metric_vars)


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    return x, rng.normal(size=(64, 3)).astype("float32")


def test_two_optimizers_each_update_their_own_variables():
    x, y = data()
    model = TwoParts()
    model.compile(jkeras.optimizers.SGD(0.1), jkeras.optimizers.Adam(0.01))
    model(x[:1])
    a0, b0 = model.a.get_weights(), model.b.get_weights()
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert int(model.a_opt.iterations) == int(model.b_opt.iterations) == 8

    # the same updates by hand, eagerly, with the optimizers' own stateless API
    a_ref, b_ref = jkeras.optimizers.SGD(0.1), jkeras.optimizers.Adam(0.01)
    ref = TwoParts()
    ref.compile(a_ref, b_ref)
    ref(x[:1])
    ref.a.set_weights(a0)
    ref.b.set_weights(b0)
    av = [np.asarray(v) for v in a0]
    bv = [np.asarray(v) for v in b0]
    ao, bo = list(a_ref.variables), list(b_ref.variables)
    for _ in range(2):
        for i in range(0, 64, 16):
            xb, yb = x[i:i + 16], y[i:i + 16]
            g = jax.grad(lambda v: jax.numpy.mean(
                (ref.a.stateless_call(v, [], xb)[0] - yb[:, :2]) ** 2))(av)
            av, ao = a_ref.stateless_apply(ao, g, av)
            h = ref.a.stateless_call(av, [], xb)[0]
            g = jax.grad(lambda v: jax.numpy.mean(
                (ref.b.stateless_call(v, [], h)[0] - yb[:, 2:]) ** 2))(bv)
            bv, bo = b_ref.stateless_apply(bo, g, bv)
    for got, want in zip(model.a.get_weights() + model.b.get_weights(), av + bv):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # the optimizer objects hold the state fit left them (a second fit continues from it)
    np.testing.assert_allclose(np.asarray(model.b_opt.variables[0]), np.asarray(bo[0]))


def test_an_unbuilt_extra_optimizer_is_named():
    x, y = data()
    model = TwoParts()
    model.compile(jkeras.optimizers.SGD(0.1), jkeras.optimizers.Adam(0.01), build=False)
    model(x[:1])
    with pytest.raises(ValueError, match=r"`a_opt` \(SGD\), which is not built.*"
                                         r"self\.a_opt\.build"):
        model.fit(x, y, epochs=1, verbose=0)


class NoiseModel(jkeras.Model):
    """A step that draws twice from a SeedGenerator: the draws differ within a step and
    between steps."""

    def __init__(self):
        super().__init__()
        self.dense = L.Dense(1)
        self.seed_generator = jkeras.random.SeedGenerator(7)

    def call(self, x):
        return self.dense(x)

    def train_step(self, state, data):
        trainable, non_trainable, opt_vars, metric_vars = state
        first = jkeras.random.normal((2,), seed=self.seed_generator)
        second = jkeras.random.normal((2,), seed=self.seed_generator)
        return {"first": first[0], "second": second[0]}, state


def test_seed_generator_draws_fresh_keys_inside_a_custom_step():
    model = NoiseModel()
    model.compile(steps_per_execution=1)
    x = np.zeros((8, 2), "float32")
    model(x[:1])
    seen = []
    cb = jkeras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(
        (float(logs["first"]), float(logs["second"]))))
    model.fit(x, x[:, :1], batch_size=4, epochs=1, verbose=0, callbacks=[cb])
    assert len(seen) == 2
    (a1, a2), (b1, b2) = seen
    assert len({a1, a2, b1, b2}) == 4


class OwnInit(jkeras.Model):
    def __init__(self, inputs, outputs, note="x"):
        super().__init__(inputs, outputs)  # Keras: functional, decided by Model.__init__
        self.note = note


class Wrapper(jkeras.Model):
    def __init__(self, first, second, third):
        super().__init__()  # not functional, even with three positional arguments
        self.first = first
        self.parts = (second, third)

    def call(self, x):
        return self.first(x)


def test_functional_is_decided_by_the_arguments_model_receives():
    inp = jkeras.Input(shape=(3,))
    model = OwnInit(inp, L.Dense(2)(inp), note="kept")
    assert isinstance(model, OwnInit) and model.note == "kept"
    assert len(model.layers) == 2 and model.output.shape == (None, 2)
    wrapper = Wrapper(L.Dense(2), 1, 2)
    assert wrapper(np.ones((1, 3), "float32")).shape == (1, 2)
    with pytest.raises(TypeError, match="keyword arguments only"):
        class Bad(jkeras.Model):
            def __init__(self):
                super().__init__(3)
        Bad()

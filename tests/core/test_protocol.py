"""The pure protocol: init/apply over plain pytrees; jit, grad and vmap with no wrapper."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def mlp():
    return jkeras.Sequential([L.Dense(8, activation="relu"), L.Dense(3)])


def test_init_returns_params_and_state_keyed_by_keras_names():
    v = mlp().init(jax.random.PRNGKey(0), (None, 5))
    assert set(v) == {"params", "state"}
    assert v["state"] == {}
    assert jax.tree_util.tree_map(jnp.shape, v["params"]) == {
        "dense": {"kernel": (5, 8), "bias": (8,)}, "dense_1": {"kernel": (8, 3), "bias": (3,)}}


def test_init_shapes_agree_with_apply():
    model = mlp()
    v = model.init(0, (None, 5))
    y, state = model.apply(v, jnp.ones((4, 5)))
    assert y.shape == (4, 3) and state == {}
    spec = jax.eval_shape(lambda v, x: model.apply(v, x)[0], v, jax.ShapeDtypeStruct((7, 5), jnp.float32))
    assert spec.shape == (7, 3)


def test_init_accepts_arrays_shapes_and_shape_dtype_structs():
    model = mlp()
    a = model.init(1, jnp.ones((2, 5)))
    b = model.init(1, (None, 5))
    c = model.init(1, jax.ShapeDtypeStruct((3, 5), jnp.float32))
    for x, y in [(a, b), (a, c)]:
        jax.tree_util.tree_map(np.testing.assert_array_equal, x, y)


def test_init_is_pure_and_deterministic():
    model = mlp()
    a = model.init(jax.random.PRNGKey(3), (None, 5))
    b = model.init(jax.random.PRNGKey(3), (None, 5))
    c = model.init(jax.random.PRNGKey(4), (None, 5))
    jax.tree_util.tree_map(np.testing.assert_array_equal, a, b)
    assert not np.allclose(a["params"]["dense"]["kernel"], c["params"]["dense"]["kernel"])
    assert not model.built and model.weights == []


def test_jit_apply_equals_apply_and_grad_is_finite():
    model = mlp()
    v = model.init(0, (None, 5))
    x = jax.random.normal(jax.random.PRNGKey(1), (6, 5))
    eager, _ = model.apply(v, x)
    jitted, _ = jax.jit(model.apply)(v, x)
    np.testing.assert_allclose(eager, jitted, rtol=1e-6, atol=1e-6)

    def loss(params):
        return jnp.mean(model.apply({"params": params}, x)[0] ** 2)
    grads = jax.grad(loss)(v["params"])
    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(v["params"])
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree_util.tree_leaves(grads))
    assert any(float(jnp.abs(g).sum()) > 0 for g in jax.tree_util.tree_leaves(grads))


def test_jit_init_and_vmap_over_variables_make_an_ensemble():
    model = mlp()
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    ensemble = jax.vmap(lambda k: model.init(k, (None, 5)))(keys)
    assert ensemble["params"]["dense"]["kernel"].shape == (4, 5, 8)
    x = jnp.ones((2, 5))
    ys, _ = jax.vmap(lambda v: model.apply(v, x))(ensemble)
    assert ys.shape == (4, 2, 3)
    single = jax.jit(lambda k: model.init(k, (None, 5)))(keys[2])
    np.testing.assert_allclose(ys[2], model.apply(single, x)[0], rtol=1e-6)


class Counter(L.Layer):
    """Counts training calls in non-trainable state and draws noise from the rng in training."""

    def build(self, input_shape):
        self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False, name="seen")

    def call(self, x, training=False):
        if training:
            self.assign_state("seen", self.seen + 1.0)
            return x + jax.random.normal(self.call_rng(), x.shape)
        return x


class TwoCalls(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.counter = Counter()

    def call(self, x):
        return self.counter(x), self.counter(x)


def test_state_threads_through_calls_and_rng_differs_per_call():
    model = TwoCalls()
    v = model.init(0, (None, 3))
    assert v["state"] == {"counter": {"seen": 0.0}}
    (a, b), state = model.apply(v, jnp.zeros((2, 3)), training=True, rng=jax.random.PRNGKey(1))
    assert float(state["counter"]["seen"]) == 2.0
    assert not np.allclose(a, b)
    (a, b), state = model.apply(v, jnp.zeros((2, 3)), training=False)
    assert float(state["counter"]["seen"]) == 0.0
    np.testing.assert_array_equal(a, b)


def test_training_flag_must_be_static():
    model = mlp()
    v = model.init(0, (None, 5))
    with pytest.raises(TypeError, match="training"):
        model.apply(v, jnp.ones((1, 5)), training=jnp.array(True))


class Scale(L.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w * self.factor


def test_custom_layer_with_add_weight_is_pure_and_eager():
    layer = Scale(2.0)
    assert layer.weights == []
    v = layer.init(0, (None, 3))
    assert list(v["params"]) == ["w"]
    y, _ = layer.apply({"params": {"w": jnp.array([1.0, 2.0, 3.0])}}, jnp.ones((1, 3)))
    np.testing.assert_allclose(y, [[2.0, 4.0, 6.0]])
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)), [[2.0, 2.0, 2.0]])
    assert [w.path for w in layer.weights] == ["scale/w"]


def test_direct_build_creates_weights_like_keras():
    dense = L.Dense(4)
    dense.build((None, 3))
    assert dense.built and [w.shape for w in dense.weights] == [(3, 4), (4,)]


class UsesUntracked(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.holder = {}

    def call(self, x):
        x = L.Flatten()(x)  # weightless and untracked: allowed
        return ABANDONED(x)


ABANDONED = L.Dense(2, name="orphan")


def test_untracked_layer_with_weights_is_a_clear_error():
    with pytest.raises(ValueError, match="orphan.*not tracked.*Assign it as an attribute"):
        UsesUntracked()(np.ones((1, 2, 2), np.float32))


def test_forgetting_super_init_is_a_clear_error():
    class Broken(jkeras.Model):
        def __init__(self):
            pass

        def call(self, x):
            return x
    with pytest.raises(RuntimeError, match=r"super\(\).__init__\(\)"):
        Broken()(np.ones((1, 2)))


def test_call_rng_missing_in_training_is_a_clear_error():
    model = TwoCalls()
    v = model.init(0, (None, 3))
    with pytest.raises(ValueError, match="needs a random key"):
        model.apply(v, jnp.zeros((2, 3)), training=True)


def test_eager_training_call_updates_held_state():
    model = TwoCalls()
    model(np.zeros((2, 3), np.float32))
    model(np.zeros((2, 3), np.float32), training=True)
    assert float(model.counter.seen.numpy()) == 2.0

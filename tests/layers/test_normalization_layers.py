"""BatchNormalization and LayerNormalization: weights, exact values, training/inference modes,
moving statistics, masks, jit, grad and argument errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import layers as L


def data(shape, seed=0, loc=1.5, scale=2.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + loc).astype(np.float32)


def bn_reference(x, mean, var, gamma, beta, eps, axis=-1):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    r = lambda v: np.reshape(np.broadcast_to(v, x.shape[axis]), shape)
    return r(gamma) * (x - r(mean)) / np.sqrt(r(var) + eps) + r(beta)


# ---- BatchNormalization ----------------------------------------------------------------------
def test_bn_weights_names_order_shapes_and_init():
    layer = L.BatchNormalization()
    layer.build((None, 5, 3))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    g, b, m, v = layer.get_weights()
    for w in (g, v):
        np.testing.assert_array_equal(w, np.ones(3))
    for w in (b, m):
        np.testing.assert_array_equal(w, np.zeros(3))
    variables = layer.init(jax.random.PRNGKey(0), (None, 5, 3))
    assert set(variables["params"]) == {"gamma", "beta"}
    assert set(variables["state"]) == {"moving_mean", "moving_variance"}


@pytest.mark.parametrize("center,scale,names", [
    (False, True, ["gamma", "moving_mean", "moving_variance"]),
    (True, False, ["beta", "moving_mean", "moving_variance"]),
    (False, False, ["moving_mean", "moving_variance"])])
def test_bn_center_scale_flags(center, scale, names):
    layer = L.BatchNormalization(center=center, scale=scale)
    x = data((6, 4))
    y = layer(x, training=True)
    assert [w.name for w in layer.weights] == names
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5, atol=1e-5)


def test_bn_training_uses_batch_stats_and_updates_moving_stats_exactly():
    x = data((16, 3))
    layer = L.BatchNormalization(momentum=0.9, epsilon=1e-2)
    layer.build((None, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5], np.float32), np.array([0.1, -0.2, 0.3], np.float32)
    mm, mv = np.array([0.5, -1.0, 2.0], np.float32), np.array([2.0, 0.5, 1.5], np.float32)
    layer.set_weights([gamma, beta, mm, mv])
    variables = layer.get_variables()
    y, state = layer.apply(variables, x, training=True)
    np.testing.assert_allclose(y, bn_reference(x, x.mean(0), x.var(0), gamma, beta, 1e-2),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state["moving_mean"], mm * 0.9 + x.mean(0) * 0.1, rtol=1e-6)
    # biased (ddof=0) batch variance goes into the moving variance
    np.testing.assert_allclose(state["moving_variance"], mv * 0.9 + x.var(0) * 0.1, rtol=1e-6)
    y_inf, state_inf = layer.apply(variables, x, training=False)
    np.testing.assert_allclose(y_inf, bn_reference(x, mm, mv, gamma, beta, 1e-2), rtol=1e-5,
                               atol=1e-5)
    for k in state_inf:
        np.testing.assert_array_equal(state_inf[k], variables["state"][k])


def test_bn_eager_training_call_writes_back_state_inference_does_not():
    x = data((10, 2))
    layer = L.BatchNormalization()
    layer(x)
    np.testing.assert_array_equal(layer.get_weights()[2], np.zeros(2))
    layer(x, training=True)
    np.testing.assert_allclose(layer.get_weights()[2], 0.01 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(layer.get_weights()[3], 0.99 + 0.01 * x.var(0), rtol=1e-6)


def test_bn_trainable_false_runs_in_inference_mode():
    x = data((8, 3))
    layer = L.BatchNormalization(trainable=False)
    layer.build((None, 3))
    variables = layer.get_variables()
    y, state = layer.apply(variables, x, training=True)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-6)
    np.testing.assert_array_equal(state["moving_mean"], np.zeros(3))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


@pytest.mark.parametrize("axis", [1, -1, 2])
def test_bn_axis_on_4d_inputs(axis):
    x = data((4, 3, 5, 2))
    layer = L.BatchNormalization(axis=axis, epsilon=1e-3)
    y, state = layer.apply(layer.init(0, x.shape), x, training=True)
    red = tuple(d for d in range(4) if d != axis % 4)
    mean, var = x.mean(red), x.var(red)
    np.testing.assert_allclose(y, bn_reference(x, mean, var, 1, 0, 1e-3, axis), rtol=1e-4,
                               atol=1e-5)
    assert state["moving_mean"].shape == (x.shape[axis],)


def test_bn_mask_excludes_masked_steps_from_batch_stats():
    x = data((3, 4, 2))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]], bool)
    layer = L.BatchNormalization(momentum=0.0)
    _, state = layer.apply(layer.init(0, x.shape), x, training=True, mask=mask)
    kept = x[mask]
    np.testing.assert_allclose(state["moving_mean"], kept.mean(0), rtol=1e-5)
    np.testing.assert_allclose(state["moving_variance"], kept.var(0), rtol=1e-4)
    with pytest.raises(ValueError, match="one dimension less"):
        layer.apply(layer.init(0, x.shape), x, training=True, mask=np.ones((3, 4, 2), bool))


def test_bn_jit_equals_apply_and_grad_is_finite():
    x = data((12, 4))
    layer = L.BatchNormalization()
    variables = layer.init(jax.random.PRNGKey(1), x.shape)
    for training in (True, False):
        ref = layer.apply(variables, x, training=training)
        got = jax.jit(lambda v, x: layer.apply(v, x, training=training))(variables, x)
        jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6),
                               ref, got)

    def loss(params, training):
        v = {"params": params, "state": variables["state"]}
        return jnp.sum(layer.apply(v, x, training=training)[0] ** 3)

    for training in (True, False):
        grads = jax.grad(loss)(variables["params"], training)
        assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree_util.tree_leaves(grads))
        assert grads["gamma"].shape == (4,)


def test_bn_float16_inputs_compute_in_float32():
    x = data((32, 2)).astype(np.float16) * 100
    layer = L.BatchNormalization(dtype="float16")
    y, state = layer.apply(layer.init(0, x.shape), x, training=True)
    assert y.dtype == jnp.float16 and bool(jnp.all(jnp.isfinite(y)))


def test_bn_input_spec_errors():
    layer = L.BatchNormalization()
    layer(data((4, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(data((4, 5)))
    with pytest.raises(ValueError, match="expected ndim=2"):
        layer(data((4, 2, 3)))
    with pytest.raises(ValueError, match="out of bounds"):
        L.BatchNormalization(axis=3).build((None, 3))
    with pytest.raises(ValueError, match="known size"):
        L.BatchNormalization().build((None, None))


@pytest.mark.parametrize("kwargs,match", [
    ({"axis": [1, 2]}, "`axis` must be an integer"), ({"momentum": "x"}, "`momentum`"),
    ({"epsilon": -1.0}, "`epsilon` must be >= 0"), ({"synchronized": True}, "synchronized"),
    ({"foo": 1}, "Unrecognized keyword")])
def test_bn_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        L.BatchNormalization(**kwargs)


# ---- LayerNormalization ----------------------------------------------------------------------
def ln_reference(x, axes, gamma=1.0, beta=0.0, eps=1e-3):
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_ln_weights_and_exact_values():
    x = data((4, 5))
    layer = L.LayerNormalization()
    layer.build((None, 5))
    assert [w.name for w in layer.weights] == ["gamma", "beta"]
    gamma, beta = np.linspace(0.5, 1.5, 5).astype(np.float32), np.arange(5, dtype=np.float32)
    layer.set_weights([gamma, beta])
    np.testing.assert_allclose(layer(x), ln_reference(x, -1, gamma, beta), rtol=1e-5, atol=1e-5)
    # training mode is the same computation
    np.testing.assert_allclose(layer(x, training=True), layer(x), rtol=1e-6)


@pytest.mark.parametrize("axis", [[1, 2], (-2, -1), 1])
def test_ln_multi_axis(axis):
    x = data((3, 4, 5))
    layer = L.LayerNormalization(axis=axis, epsilon=1e-5)
    v = layer.init(0, x.shape)
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    assert v["params"]["gamma"].shape == tuple(x.shape[a] for a in sorted(axes))
    gamma = np.arange(1, 1 + v["params"]["gamma"].size, dtype=np.float32).reshape(
        v["params"]["gamma"].shape)
    v = {"params": {"gamma": gamma, "beta": np.zeros_like(gamma)}, "state": {}}
    shape = [1, 1, 1]
    for a in sorted(axes):
        shape[a] = x.shape[a]
    y, _ = layer.apply(v, x)
    np.testing.assert_allclose(y, ln_reference(x, axes, gamma.reshape(shape), 0.0, 1e-5),
                               rtol=1e-4, atol=1e-5)


def test_ln_center_scale_and_rms_scaling():
    x = data((2, 6))
    layer = L.LayerNormalization(center=False, scale=False)
    np.testing.assert_allclose(layer(x), ln_reference(x, -1), rtol=1e-5, atol=1e-5)
    assert layer.weights == []
    with pytest.warns(UserWarning, match="deprecated"):
        rms = L.LayerNormalization(rms_scaling=True)
    assert [w.name for w in (rms(x), rms.weights)[1]] == ["gamma"]
    np.testing.assert_allclose(rms(x), x / np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-5)


def test_ln_jit_grad_and_other_ranks():
    x = data((4, 3, 6))
    layer = L.LayerNormalization()
    v = layer.init(0, (None, 6))
    np.testing.assert_allclose(jax.jit(lambda v, x: layer.apply(v, x)[0])(v, x),
                               layer.apply(v, x)[0], rtol=1e-6, atol=1e-6)
    g = jax.grad(lambda p: jnp.sum(layer.apply({"params": p, "state": {}}, x)[0] ** 3))(v["params"])
    assert all(bool(jnp.all(jnp.isfinite(a))) for a in jax.tree_util.tree_leaves(g))


def test_ln_errors():
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints"):
        L.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of bounds"):
        L.LayerNormalization(axis=2).build((None, 3))
    layer = L.LayerNormalization()
    layer(data((2, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(data((2, 4)))

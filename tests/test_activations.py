"""Unit tests for jkeras.activations: hand-computed values, jit/grad/vmap, get/serialize."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import activations as A

X = np.array([-10.0, -5.0, 0.0, 5.0, 10.0], np.float32)
ALL = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu",
       "selu", "softplus", "softsign", "silu", "swish", "leaky_relu", "exponential",
       "hard_sigmoid", "hard_silu", "hard_swish", "mish"]


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, np.float64), rtol=tol, atol=tol)


# ---- exact values (Keras docstring examples and hand computations) ----
def test_relu_variants_keras_examples():
    close(A.relu(X), [0, 0, 0, 5, 10])
    close(A.relu(X, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    close(A.relu(X, max_value=5.0), [0, 0, 0, 5, 5])
    close(A.relu(X, threshold=5.0), [0, 0, 0, 0, 10])  # 5 is not > 5


def test_relu_combined_arguments():
    x = np.array([-2.0, 0.5, 1.0, 3.0, 8.0], np.float32)
    # x <= threshold: -slope*(threshold - x); above: x clipped to max_value
    close(A.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0),
          [-0.3, -0.05, 0.0, 3.0, 6.0])
    close(A.relu(x, max_value=6), [0, 0.5, 1, 3, 6])
    close(A.relu(x, negative_slope=0.1, max_value=2.0), [-0.2, 0.5, 1.0, 2.0, 2.0])


def test_simple_piecewise():
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 7.0], np.float32)
    close(A.relu6(x), [0, 0, 0, 0, 1.5, 3, 6])
    close(A.leaky_relu(x), [-0.8, -0.6, -0.3, 0, 1.5, 3, 7])
    close(A.leaky_relu(x, negative_slope=0.5), [-2, -1.5, -0.75, 0, 1.5, 3, 7])
    close(A.hard_sigmoid(x), [0, 0, 0.25, 0.5, 0.75, 1, 1])
    close(A.hard_silu(x), [0, 0, -0.375, 0, 1.125, 3, 7])
    close(A.hard_swish(x), A.hard_silu(x))
    close(A.softsign(x), [-0.8, -0.75, -0.6, 0, 0.6, 0.75, 7 / 8])
    close(A.linear(x), x)


def test_smooth_functions_hand_values():
    close(A.sigmoid(np.float32(0.0)), 0.5)
    close(A.sigmoid(np.log(np.float32(3.0))), 0.75)  # 1/(1+1/3)
    close(A.tanh(np.float32(math.log(2.0))), 0.6)  # (2-1/2)/(2+1/2)
    close(A.softplus(np.float32(0.0)), math.log(2.0))
    close(A.softplus(np.float32(math.log(3.0))), math.log(4.0))
    close(A.softplus(np.float32(100.0)), 100.0)  # no overflow
    close(A.exponential(np.float32(1.0)), math.e)
    close(A.silu(np.float32(math.log(3.0))), math.log(3.0) * 0.75)
    close(A.swish(np.float32(2.0)), A.silu(np.float32(2.0)))
    # softplus(log 3) = log 4, tanh(log 4) = (4 - 1/4) / (4 + 1/4) = 15/17
    close(A.mish(np.float32(math.log(3.0))), math.log(3.0) * 15 / 17)


def test_elu_selu():
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    close(A.elu(x), [math.exp(-1) - 1, 0, 2])
    close(A.elu(x, alpha=0.5), [0.5 * (math.exp(-1) - 1), 0, 2])
    a, s = 1.6732632423543772, 1.0507009873554805
    close(A.selu(x), [s * a * (math.exp(-1) - 1), 0, 2 * s])
    close(A.elu(np.float32(-1e-6)), -9.999995e-07, tol=1e-12)  # expm1 accuracy


def test_gelu_exact_and_approximate():
    x = np.array([-1.0, 0.0, 1.0, 2.0], np.float32)
    exact = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()]
    close(A.gelu(x), exact)  # Keras 3 default: approximate=False
    c = math.sqrt(2 / math.pi)
    approx = [0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v**3))) for v in x.tolist()]
    close(A.gelu(x, approximate=True), approx)
    assert abs(exact[0] - approx[0]) > 1e-5  # the two variants differ


def test_softmax_and_log_softmax():
    x = np.array([[0.0, math.log(2.0), math.log(5.0)], [1.0, 1.0, 1.0]], np.float32)
    close(A.softmax(x), [[0.125, 0.25, 0.625], [1 / 3, 1 / 3, 1 / 3]])
    close(A.log_softmax(x), np.log([[0.125, 0.25, 0.625], [1 / 3, 1 / 3, 1 / 3]]))
    y = A.softmax(x, axis=0)
    close(np.asarray(y).sum(axis=0), [1, 1, 1])
    close(A.softmax(np.array([1000.0, 1000.0], np.float32)), [0.5, 0.5])  # stable
    close(A.softmax(np.zeros((2, 2), np.float32), axis=None), np.full((2, 2), 0.25))


def test_integer_and_list_inputs_become_float():
    y = A.relu([-1, 2])
    assert y.dtype == jnp.float32
    close(y, [0, 2])
    assert A.sigmoid(np.array([0], np.int32)).dtype == jnp.float32


def test_dtype_preserved():
    for dt in (jnp.float16, jnp.bfloat16, jnp.float32):
        x = jnp.linspace(-3, 3, 7).astype(dt)
        for name in ALL:
            assert getattr(A, name)(x).dtype == dt, name


# ---- transformations ----
@pytest.mark.parametrize("name", ALL)
def test_jit_matches_eager_and_grad_is_finite(name):
    fn = getattr(A, name)
    x = jnp.asarray(np.linspace(-7.0, 7.0, 29, dtype=np.float32).reshape(1, -1))
    close(jax.jit(fn)(x), fn(x))
    g = jax.grad(lambda v: jnp.sum(fn(v)))(x)
    assert g.shape == x.shape and bool(jnp.all(jnp.isfinite(g)))
    v = jax.vmap(fn)(jnp.stack([x, -x]))
    close(v[0], fn(x))


def test_relu_variants_under_jit():
    f = jax.jit(lambda x: A.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0))
    close(f(X), A.relu(X, negative_slope=0.1, max_value=6.0, threshold=1.0))


def test_known_gradients():
    close(jax.grad(A.sigmoid)(0.0), 0.25)
    close(jax.grad(A.relu)(2.0), 1.0)
    close(jax.grad(A.relu)(-2.0), 0.0)
    close(jax.grad(A.leaky_relu)(-2.0), 0.2)
    close(jax.grad(A.elu)(-1.0), math.exp(-1))
    close(jax.grad(A.hard_sigmoid)(1.0), 1 / 6)
    close(jax.grad(A.gelu)(0.0), 0.5)
    assert bool(jnp.isfinite(jax.grad(A.elu)(50.0)))  # no inf from the unused branch


# ---- get / serialize ----
@pytest.mark.parametrize("name", ALL)
def test_get_by_name(name):
    assert A.get(name) is getattr(A, name)


def test_get_aliases_none_and_callables():
    assert A.get("swish") is A.silu
    assert A.get("hard_swish") is A.hard_silu
    assert A.get(None) is A.linear
    assert A.get(jax.nn.relu) is jax.nn.relu
    f = lambda x: x * 2  # noqa: E731
    assert A.get(f) is f
    assert A.get({"class_name": "function", "config": "relu", "module": "keras.activations",
                  "registered_name": None}) is A.relu


def test_get_unknown_name_message():
    with pytest.raises(ValueError) as e:
        A.get("foo")
    msg = str(e.value)
    assert msg.startswith("Could not interpret activation function identifier: 'foo'")
    assert "relu" in msg and "softmax" in msg


def test_get_wrong_type_message():
    with pytest.raises((TypeError, ValueError), match="identifier: 3"):
        A.get(3)
    with pytest.raises(ValueError, match="Could not interpret"):
        A.get({"class_name": "function", "config": "nope"})


def test_get_is_case_sensitive_like_keras():
    with pytest.raises(ValueError):
        A.get("ReLU")


def test_serialize_names():
    for name in ALL:
        fn = getattr(A, name)
        out = A.serialize(fn)
        assert A.deserialize(out) is fn
    assert A.serialize(A.swish) == "silu"
    assert A.serialize(A.hard_swish) == "hard_silu"
    assert A.serialize(None) == "linear"
    assert A.serialize("relu") == "relu"
    assert A.serialize(jax.nn.relu) == "relu"
    assert A.serialize(jax.nn.sigmoid) == "sigmoid"
    assert A.serialize(jnp.tanh) == "tanh"


def test_serialize_custom_function_and_lambda():
    def my_act(x):
        return x

    cfg = A.serialize(my_act)
    assert cfg["class_name"] == "function" and cfg["config"] == "my_act"
    with pytest.raises(ValueError, match="cannot be serialized"):
        A.serialize(lambda x: x)
    # jax.nn.gelu defaults to the tanh approximation: not Keras's "gelu"
    assert A.serialize(jax.nn.gelu) != "gelu"

"""keras.ops core ops: tensors, casts, scatter/slice (against Keras's JAX backend) and
control flow (against plain Python/NumPy results), under jit and grad."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import ops
from keras_reference import Case, Fn, check_case

rng = np.random.default_rng(4)


def f32(*shape):
    return rng.uniform(-2, 2, shape).astype("float32")


def _cases():
    x = f32(3, 4)
    return [Case("ops.convert_to_tensor", x), Case("ops.convert_to_tensor", [1, 2], dtype="float32"),
            Case("ops.convert_to_tensor", 3.0), Case("ops.convert_to_tensor", x, dtype="float16"),
            Case("ops.convert_to_tensor", [1, 2], dtype="bfloat16"),
            Case("ops.convert_to_tensor", x, ragged=True),
            Case("ops.convert_to_numpy", x), Case("ops.is_tensor", x), Case("ops.dtype", x),
            Case("ops.shape", x),
            Case("ops.cast", x, "int32"), Case("ops.cast", x, "bfloat16"), Case("ops.cast", x, "nope"),
            Case("ops.saturate_cast", x * 200, "int8"), Case("ops.saturate_cast", x * 200, "uint8"),
            Case("ops.saturate_cast", np.array([1e10, -1e10, np.inf], "float32"), "int32"),
            Case("ops.saturate_cast", np.array([300, -5], "int32"), "uint8"),
            Case("ops.stop_gradient", x),
            Case("ops.scatter", np.array([[0, 1], [2, 2], [0, 1]]), f32(3), (3, 3)),
            Case("ops.scatter", np.array([[1], [0]]), f32(2, 4), (3, 4)),
            Case("ops.scatter_update", x, np.array([[0, 1], [2, 3]]), f32(2)),
            Case("ops.scatter_update", x, np.array([[0, 1], [2, 3]]), f32(2), reduction="add"),
            Case("ops.scatter_update", x, np.array([[0, 1], [0, 1]]), f32(2), reduction="max"),
            Case("ops.scatter_update", x, np.array([[0, 1]]), f32(1), reduction="min"),
            Case("ops.scatter_update", x, np.array([[0, 1]]), f32(1), reduction="mul"),
            Case("ops.scatter_update", x, np.array([[0, 1]]), f32(1), reduction="sum"),
            Case("ops.slice", x, (1, 0), (2, 3)), Case("ops.slice", x, (1, 1), (-1, 2)),
            Case("ops.slice_update", x, (1, 2), f32(2, 2)),
            Case("ops.unstack", x), Case("ops.unstack", x, axis=1),
            Case("ops.vectorized_map", Fn("ops.sum"), x), Case("ops.map", Fn("ops.max"), x),
            Case("ops.associative_scan", Fn("ops.add"), f32(6)),
            Case("ops.associative_scan", Fn("ops.maximum"), x, reverse=True, axis=1)]


CASES = _cases()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_matches_keras_jax_backend(index, keras_ref):
    check_case(jkeras, CASES[index], keras_ref[index])


def test_cond_and_switch_trace_under_jit():
    f = jax.jit(lambda p, x: ops.cond(p, lambda: x * 2, lambda: x - 1))
    assert float(f(True, 3.0)) == 6.0 and float(f(False, 3.0)) == 2.0
    branches = [lambda v: v + 1, lambda v: v * 10, lambda v: -v]
    assert [float(ops.switch(i, branches, 2.0)) for i in range(3)] == [3.0, 20.0, -2.0]


def test_scan_matches_python_loop_and_differentiates():
    xs = f32(5)

    def step(carry, x):
        carry = carry * 0.5 + x
        return carry, carry * 2
    carry, ys = ops.scan(step, 1.0, xs)
    c, expected = 1.0, []
    for v in xs:
        c = c * 0.5 + v
        expected.append(c * 2)
    np.testing.assert_allclose(carry, c, rtol=1e-6)
    np.testing.assert_allclose(ys, expected, rtol=1e-6)
    _, rev = ops.scan(step, 1.0, xs, reverse=True, unroll=2)
    np.testing.assert_allclose(rev, ops.scan(step, 1.0, xs[::-1])[1][::-1], rtol=1e-6)
    grad = jax.grad(lambda v: ops.scan(step, 1.0, v)[0])(xs)
    np.testing.assert_allclose(grad, 0.5 ** np.arange(4, -1, -1), rtol=1e-6)
    with pytest.raises(ValueError, match="`unroll` must be an positive integer"):
        ops.scan(step, 1.0, xs, unroll=0)


def test_while_and_fori_loops():
    out = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (0, 0))
    assert tuple(int(v) for v in out) == (5, 10)
    assert int(ops.while_loop(lambda v: v < 100, lambda v: v * 2, 1)) == 128
    capped = ops.while_loop(lambda v: v < 100, lambda v: v * 2, 1, maximum_iterations=3)
    assert int(capped) == 8
    listed = ops.while_loop(lambda a, b: a < 3, lambda a, b: [a + 1, b * 2], [0, 1])
    assert [int(v) for v in listed] == [3, 8]
    assert int(ops.fori_loop(0, 4, lambda i, v: v + i, 10)) == 16
    assert int(jax.jit(lambda n: ops.fori_loop(0, n, lambda i, v: v + i, 0))(5)) == 10


def test_custom_gradient_and_stop_gradient():
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(upstream):
            return ops.clip(upstream, -0.1, 0.1)
        return x, grad
    g = jax.grad(lambda v: jnp.sum(clipped_identity(v) * 3.0))(jnp.ones(3))
    np.testing.assert_allclose(g, [0.1, 0.1, 0.1])
    g = jax.grad(lambda v: jnp.sum(ops.stop_gradient(v) * v))(jnp.ones(2))
    np.testing.assert_allclose(g, [1.0, 1.0])


def test_variables_are_accepted_as_tensors():
    layer = jkeras.layers.Dense(2)
    layer.build((None, 3))
    np.testing.assert_allclose(ops.convert_to_tensor(layer.kernel), layer.kernel.numpy())
    np.testing.assert_allclose(ops.matmul(np.ones((1, 3), "float32"), layer.kernel),
                               np.ones((1, 3)) @ layer.kernel.numpy(), rtol=1e-6)
    assert ops.shape(layer.kernel) == (3, 2)
    assert ops.convert_to_numpy(layer.kernel).shape == (3, 2)


def test_unsupported_sparse_is_refused():
    with pytest.raises(ValueError, match="sparse=True"):
        ops.convert_to_tensor([1.0], sparse=True)
    with pytest.raises(ValueError, match="sparse=True"):
        ops.one_hot(np.array([0, 1]), 2, sparse=True)

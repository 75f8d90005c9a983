"""Unit tests for jkeras.initializers: formulas, seeding, jit, get/serialize, callables."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import initializers as I

KEY = jax.random.PRNGKey(0)
TRUNC = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]

RANDOM = [I.RandomNormal, I.RandomUniform, I.TruncatedNormal, I.VarianceScaling,
          I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal, I.LecunUniform,
          I.LecunNormal, I.Orthogonal]


# ---- constant initializers ----
def test_zeros_ones_constant():
    z = I.Zeros()((2, 3))
    assert z.shape == (2, 3) and z.dtype == jnp.float32 and not np.any(np.asarray(z))
    o = I.Ones()((4,), dtype="int32")
    assert o.dtype == jnp.int32 and np.all(np.asarray(o) == 1)
    c = I.Constant(2.5)((2, 2), "float16")
    assert c.dtype == jnp.float16 and np.all(np.asarray(c) == 2.5)
    c2 = I.Constant(np.array([1.0, 2.0]))((3, 2))  # broadcast like Keras
    np.testing.assert_array_equal(np.asarray(c2), [[1, 2]] * 3)


def test_identity():
    np.testing.assert_array_equal(np.asarray(I.Identity()((3, 3))), np.eye(3))
    np.testing.assert_array_equal(np.asarray(I.Identity(gain=2.0)((2, 4))), 2 * np.eye(2, 4))
    with pytest.raises(ValueError, match="can only be used for 2D matrices. "
                                         r"Received: shape=\(2, 2, 2\) of rank 3"):
        I.Identity()((2, 2, 2))


def test_int_shape_and_none_dtype():
    assert I.Zeros()(5).shape == (5,)
    assert I.RandomNormal()((2,), dtype=None, key=KEY).dtype == jnp.float32


# ---- fans ----
@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)),
    ((3, 16, 32), (48, 96)),            # Conv1D kernel
    ((3, 3, 16, 32), (144, 288)),       # Conv2D kernel
    ((2, 3, 3, 4, 8), (72, 144)),       # Conv3D kernel
])
def test_compute_fans(shape, fans):
    assert I.compute_fans(shape) == fans


def test_compute_fans_explicit_axes():
    assert I.compute_fans((2, 3, 5), input_axes=(0, 1), output_axes=(2,)) == (6, 5)


# ---- shapes, dtypes, seeding ----
@pytest.mark.parametrize("cls", RANDOM)
def test_shape_dtype_and_key_determinism(cls):
    init = cls()
    a = init((4, 6), key=KEY)
    assert a.shape == (4, 6) and a.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(a), np.asarray(init((4, 6), key=KEY)))
    b = init((4, 6), key=jax.random.PRNGKey(1))
    assert not np.allclose(np.asarray(a), np.asarray(b))
    assert init((4, 6), "float16", key=KEY).dtype == jnp.float16
    assert init((4, 6), "bfloat16", key=KEY).dtype == jnp.bfloat16


@pytest.mark.parametrize("cls", RANDOM)
def test_seeded_initializer_ignores_key_and_repeats(cls):
    init = cls(seed=42)
    a = init((5, 5))
    b = init((5, 5), key=jax.random.PRNGKey(7))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(cls(seed=42)((5, 5))))
    assert not np.allclose(np.asarray(a), np.asarray(cls(seed=43)((5, 5))))


def test_bad_seed():
    with pytest.raises(ValueError, match="`seed` argument should be an integer"):
        I.RandomNormal(seed=1.5)


def test_global_generator_and_set_random_seed():
    init = I.GlorotUniform()
    I.set_random_seed(123)
    a, b = init((3, 3)), init((3, 3))
    assert not np.allclose(np.asarray(a), np.asarray(b))  # counter advances
    I.set_random_seed(123)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(init((3, 3))))
    np.testing.assert_array_equal(np.asarray(b), np.asarray(init((3, 3))))
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        I.set_random_seed("1")


def test_set_random_seed_seeds_numpy_like_keras():
    I.set_random_seed(5)
    a = np.random.rand(3)
    I.set_random_seed(5)
    np.testing.assert_array_equal(a, np.random.rand(3))


# ---- distributions (large samples, fixed keys: deterministic) ----
N = (400, 500)  # 200k samples


def _stats(init, shape=N, key=KEY):
    x = np.asarray(init(shape, key=key), np.float64)
    return x, x.mean(), x.std()


def test_random_normal_and_uniform_stats():
    x, m, s = _stats(I.RandomNormal(mean=1.0, stddev=2.0))
    assert abs(m - 1.0) < 0.03 and abs(s - 2.0) < 0.02
    x, m, s = _stats(I.RandomUniform(minval=-1.0, maxval=3.0))
    assert x.min() >= -1.0 and x.max() < 3.0
    assert abs(m - 1.0) < 0.02 and abs(s - 4 / math.sqrt(12)) < 0.01


def test_truncated_normal_bounds_and_std():
    x, m, s = _stats(I.TruncatedNormal(mean=0.5, stddev=0.1))
    assert x.min() >= 0.5 - 0.2 - 1e-6 and x.max() <= 0.5 + 0.2 + 1e-6
    assert abs(m - 0.5) < 0.002 and abs(s - 0.1 * TRUNC) < 0.002


@pytest.mark.parametrize("cls, shape, limit", [
    (I.GlorotUniform, (300, 700), math.sqrt(6 / 1000)),
    (I.GlorotUniform, (3, 3, 64, 128), math.sqrt(6 / (9 * 64 + 9 * 128))),
    (I.HeUniform, (3, 3, 64, 128), math.sqrt(6 / (9 * 64))),
    (I.LecunUniform, (500, 400), math.sqrt(3 / 500)),
])
def test_uniform_presets_limit_and_std(cls, shape, limit):
    x, m, s = _stats(cls(), shape)
    assert np.abs(x).max() <= limit
    assert np.abs(x).max() > 0.99 * limit  # the whole range is used
    assert abs(m) < 0.01 * limit and abs(s - limit / math.sqrt(3)) < 0.01 * limit


@pytest.mark.parametrize("cls, shape, var", [
    (I.GlorotNormal, (300, 700), 2 / 1000),
    (I.HeNormal, (3, 3, 64, 128), 2 / (9 * 64)),
    (I.LecunNormal, (500, 400), 1 / 500),
])
def test_normal_presets_truncated_std(cls, shape, var):
    x, m, s = _stats(cls(), shape)
    target = math.sqrt(var)  # after truncation the std is exactly sqrt(scale / n)
    assert abs(s - target) < 0.01 * target
    assert np.abs(x).max() <= 2 * target / TRUNC * (1 + 1e-6)


def test_variance_scaling_modes_and_distributions():
    shape = (200, 1000)
    for mode, n in [("fan_in", 200), ("fan_out", 1000), ("fan_avg", 600)]:
        _, _, s = _stats(I.VarianceScaling(3.0, mode, "untruncated_normal"), shape)
        assert abs(s - math.sqrt(3.0 / n)) < 0.01 * math.sqrt(3.0 / n), mode
    x, _, _ = _stats(I.VarianceScaling(3.0, "fan_in", "uniform"), shape)
    assert np.abs(x).max() <= math.sqrt(9.0 / 200)
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert I.VarianceScaling(distribution="Uniform").distribution == "uniform"
    # tiny fans are clamped to 1
    _, _, s = _stats(I.VarianceScaling(1.0, "fan_in", "untruncated_normal"), (200_000,))
    assert abs(s - math.sqrt(1 / 200_000)) < 0.01 * math.sqrt(1 / 200_000)


def test_variance_scaling_errors():
    with pytest.raises(ValueError, match="`scale` must be positive"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode` argument: fan_x"):
        I.VarianceScaling(mode="fan_x")
    with pytest.raises(ValueError, match="Invalid `distribution` argument: gamma"):
        I.VarianceScaling(distribution="gamma")


# ---- orthogonal ----
@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 4, 8)])
def test_orthogonal(shape):
    q = np.asarray(I.Orthogonal(gain=1.0)(shape, key=KEY), np.float64)
    assert q.shape == shape
    m = q.reshape(-1, shape[-1])
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=1e-5)
    g = np.asarray(I.Orthogonal(gain=3.0)(shape, key=KEY))
    np.testing.assert_allclose(g, 3 * q, rtol=1e-5, atol=1e-6)


def test_orthogonal_sign_correction_matches_reference():
    a = np.asarray(jax.random.normal(KEY, (7, 5)), np.float64)
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))  # then Q R' = A with R' having a positive diagonal
    got = np.asarray(I.Orthogonal()((7, 5), key=KEY))
    np.testing.assert_allclose(got, q, atol=1e-5)


def test_orthogonal_rank_error():
    with pytest.raises(ValueError, match="at least two-dimensional. "
                                         r"Received: shape=\(3,\) of rank 1"):
        I.Orthogonal()((3,), key=KEY)


def test_random_rejects_integer_dtype():
    with pytest.raises(ValueError, match="floating"):
        I.GlorotUniform()((2, 2), "int32", key=KEY)


# ---- jit with a traced key ----
@pytest.mark.parametrize("cls", RANDOM + [I.Zeros, I.Ones, I.Identity])
def test_jit_with_traced_key(cls):
    init = cls()
    f = jax.jit(lambda k: init((4, 4), "float32", key=k))
    np.testing.assert_allclose(np.asarray(f(KEY)), np.asarray(init((4, 4), key=KEY)),
                               rtol=1e-5, atol=1e-6)


def test_vmap_over_keys_gives_distinct_draws():
    keys = jax.random.split(KEY, 3)
    out = jax.vmap(lambda k: I.HeNormal()((8, 8), key=k))(keys)
    assert out.shape == (3, 8, 8) and not np.allclose(out[0], out[1])


# ---- get / serialize ----
@pytest.mark.parametrize("name, cls", [
    ("zeros", I.Zeros), ("Zeros", I.Zeros), ("zero", I.Zeros), ("ones", I.Ones),
    ("one", I.Ones), ("constant", I.Constant), ("identity", I.Identity),
    ("IdentityInitializer", I.Identity), ("random_normal", I.RandomNormal),
    ("normal", I.RandomNormal), ("uniform", I.RandomUniform),
    ("random_uniform", I.RandomUniform), ("truncated_normal", I.TruncatedNormal),
    ("variance_scaling", I.VarianceScaling), ("glorot_uniform", I.GlorotUniform),
    ("GlorotUniform", I.GlorotUniform), ("glorot_normal", I.GlorotNormal),
    ("he_normal", I.HeNormal), ("he_uniform", I.HeUniform), ("lecun_normal", I.LecunNormal),
    ("lecun_uniform", I.LecunUniform), ("orthogonal", I.Orthogonal),
    ("OrthogonalInitializer", I.Orthogonal),
])
def test_get_by_name(name, cls):
    assert type(I.get(name)) is cls


def test_get_unknown_name():
    with pytest.raises(ValueError) as e:
        I.get("foo")
    msg = str(e.value)
    assert msg.startswith("Could not interpret initializer identifier: 'foo'")
    assert "glorot_uniform" in msg and "he_normal" in msg
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3"):
        I.get(3)


def test_get_instance_class_none_dict():
    g = I.GlorotNormal(seed=3)
    assert I.get(g) is g
    assert I.get(None) is None
    assert type(I.get(I.HeUniform)) is I.HeUniform
    r = I.get({"class_name": "RandomNormal", "config": {"stddev": 1.0, "seed": 7}})
    assert isinstance(r, I.RandomNormal) and r.stddev == 1.0 and r.seed == 7


@pytest.mark.parametrize("init, config", [
    (I.Zeros(), {}),
    (I.Constant(2.0), {"value": 2.0}),
    (I.Identity(gain=2.0), {"gain": 2.0}),
    (I.RandomNormal(seed=1), {"seed": 1, "mean": 0.0, "stddev": 0.05}),
    (I.RandomUniform(), {"seed": None, "minval": -0.05, "maxval": 0.05}),
    (I.TruncatedNormal(), {"seed": None, "mean": 0.0, "stddev": 0.05}),
    (I.VarianceScaling(), {"seed": None, "scale": 1.0, "mode": "fan_in",
                           "distribution": "truncated_normal", "input_axes": None,
                           "output_axes": None}),
    (I.GlorotUniform(), {"seed": None, "input_axes": None, "output_axes": None}),
    (I.Orthogonal(), {"seed": None, "gain": 1.0}),
])
def test_get_config_keys_and_round_trip(init, config):
    assert init.get_config() == config
    s = I.serialize(init)
    assert s == {"module": "keras.initializers", "class_name": type(init).__name__,
                 "config": config, "registered_name": None}
    back = I.deserialize(s)
    assert type(back) is type(init) and back.get_config() == config
    assert type(init).from_config(config).get_config() == config


def test_constant_array_config_round_trip():
    c = I.Constant(np.array([1.0, 2.0]))
    cfg = c.get_config()
    assert cfg["value"]["class_name"] == "__numpy__"
    np.testing.assert_array_equal(np.asarray(I.Constant.from_config(cfg)((2,))), [1, 2])


def test_jax_style_callable():
    fn = jax.nn.initializers.glorot_uniform()
    init = I.get(fn)
    a = init((3, 4), key=KEY)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(fn(KEY, (3, 4), jnp.float32)))
    assert init((3, 4), "float16", key=KEY).dtype == jnp.float16
    b = jax.jit(lambda k: init((3, 4), key=k))(KEY)
    np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6)

    def my_init(key, shape, dtype=jnp.float32):
        return jax.random.normal(key, shape, dtype)

    assert I.get(my_init)((2,), key=KEY).shape == (2,)


def test_keras_style_callable():
    seen = {}

    def my_init(shape, dtype=None):
        seen["args"] = (shape, dtype)
        return np.full(shape, 3.0)

    init = I.get(my_init)
    out = init((2, 3), "float16", key=KEY)
    assert out.dtype == jnp.float16 and np.all(np.asarray(out) == 3)
    assert seen["args"] == ((2, 3), "float16")
    lam = I.get(lambda shape, dtype=None: jnp.ones(shape, dtype))
    assert np.all(np.asarray(lam((2,))) == 1)
    assert I.serialize(init)["config"] == "my_init"  # Keras's form for a named function
    with pytest.raises(ValueError, match="Cannot serialize"):
        I.serialize(lam)


def test_keras_style_initializer_subclass_is_wrapped():
    class Twos(I.Initializer):
        def __call__(self, shape, dtype=None):
            return jnp.full(shape, 2.0, dtype)

    init = I.get(Twos())
    np.testing.assert_array_equal(np.asarray(init((2,), "float32", key=KEY)), [2, 2])


def test_array_identifier():
    v = np.arange(6.0).reshape(2, 3)
    init = I.get(v)
    np.testing.assert_array_equal(np.asarray(init((2, 3))), v)
    with pytest.raises(ValueError, match=r"Expected `shape` to be \(2, 3\)"):
        init((3, 2))

"""Parity of jkeras.initializers with tf.keras.initializers (Keras 3, TF backend).

Deterministic initializers must be equal; random ones cannot share TF's random streams, so
large seeded samples from both are compared in bounds, mean and std (deterministic tests).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import math  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.initializers import ALL_OBJECTS_DICT as KERAS_NAMES  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans as keras_fans  # noqa: E402

from jkeras import initializers as I  # noqa: E402

TKI = tf.keras.initializers
KEY = jax.random.PRNGKey(0)


def ours(init, shape, dtype="float32"):
    return np.asarray(init(shape, dtype, key=KEY))


@pytest.mark.parametrize("name, args, shape, dtype", [
    ("Zeros", {}, (3, 4), "float32"), ("Ones", {}, (2, 3, 4), "float32"),
    ("Zeros", {}, (5,), "int32"), ("Ones", {}, (2, 2), "float16"),
    ("Constant", {"value": 2.5}, (3, 3), "float32"),
    ("Constant", {"value": -1}, (4,), "float32"),
    ("Identity", {}, (4, 4), "float32"), ("Identity", {"gain": 2.0}, (3, 5), "float32"),
    ("Identity", {"gain": 0.5}, (5, 3), "float32"),
])
def test_deterministic_equal(name, args, shape, dtype):
    theirs = getattr(TKI, name)(**args)(shape, dtype=dtype).numpy()
    mine = ours(getattr(I, name)(**args), shape, dtype)
    assert mine.dtype == theirs.dtype
    np.testing.assert_array_equal(mine, theirs)


def test_identity_error_wording_matches():
    with pytest.raises(ValueError) as theirs:
        TKI.Identity()((2, 2, 2))
    with pytest.raises(ValueError) as mine:
        I.Identity()((2, 2, 2))
    assert str(mine.value) == str(theirs.value)


def test_orthogonal_error_wording_matches():
    with pytest.raises(ValueError) as theirs:
        TKI.Orthogonal()((3,))
    with pytest.raises(ValueError) as mine:
        I.Orthogonal()((3,), key=KEY)
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(), (7,), (3, 5), (3, 16, 32), (3, 3, 16, 32),
                                   (5, 5, 3, 64), (2, 3, 3, 4, 8)])
def test_fans_match_keras(shape):
    assert I.compute_fans(shape) == keras_fans(shape)


def _both(name, args, shape, seed=1234):
    theirs = getattr(TKI, name)(seed=seed, **args)(shape, dtype="float32").numpy()
    mine = ours(getattr(I, name)(**args), shape)
    assert mine.shape == theirs.shape == tuple(shape) and mine.dtype == theirs.dtype
    return mine.astype(np.float64), theirs.astype(np.float64)


RANDOM_CASES = [
    ("RandomNormal", {"mean": 0.5, "stddev": 2.0}, (400, 500)),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0}, (400, 500)),
    ("TruncatedNormal", {"mean": 0.5, "stddev": 0.1}, (400, 500)),
    ("GlorotUniform", {}, (300, 700)),
    ("GlorotUniform", {}, (3, 3, 128, 256)),
    ("GlorotNormal", {}, (3, 3, 128, 256)),
    ("HeUniform", {}, (5, 5, 64, 128)),
    ("HeNormal", {}, (3, 3, 128, 256)),
    ("LecunUniform", {}, (3, 256, 256)),
    ("LecunNormal", {}, (500, 400)),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "uniform"},
     (3, 3, 128, 256)),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_avg", "distribution": "untruncated_normal"},
     (3, 3, 128, 256)),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_in", "distribution": "normal"},
     (3, 3, 128, 256)),
]


@pytest.mark.parametrize("name, args, shape", RANDOM_CASES,
                         ids=[f"{n}-{a}-{s}" for n, a, s in RANDOM_CASES])
def test_random_same_distribution_as_tf(name, args, shape):
    mine, theirs = _both(name, args, shape)
    n = mine.size
    s_tf = theirs.std()
    # >= 196k draws each: std's sampling error is 0.16%, a quantile's < 0.01 std
    assert n >= 196_000
    assert abs(mine.std() - s_tf) < 0.01 * s_tf
    # mean: within 5 standard errors of each other
    assert abs(mine.mean() - theirs.mean()) < 5 * s_tf * math.sqrt(2.0 / n)
    # bounds: same support (uniform edges, truncation at 2 stddev); normals are unbounded
    if name != "RandomNormal" and args.get("distribution") != "untruncated_normal":
        lo, hi = theirs.min(), theirs.max()
        span = hi - lo
        assert mine.min() > lo - 0.01 * span and mine.max() < hi + 0.01 * span
        assert mine.min() < lo + 0.01 * span and mine.max() > hi - 0.01 * span
    # quartiles agree too (same shape of distribution, not only the moments)
    q_mine = np.quantile(mine, [0.1, 0.25, 0.5, 0.75, 0.9])
    q_tf = np.quantile(theirs, [0.1, 0.25, 0.5, 0.75, 0.9])
    np.testing.assert_allclose(q_mine, q_tf, atol=0.03 * s_tf)


@pytest.mark.parametrize("name, shape", [("GlorotUniform", (3, 3, 128, 256)),
                                         ("HeUniform", (5, 5, 64, 128)),
                                         ("LecunUniform", (3, 256, 256))])
def test_uniform_limit_exact_bound(name, shape):
    mine, theirs = _both(name, {}, shape)
    fan_in, fan_out = keras_fans(shape)
    limit = {"GlorotUniform": math.sqrt(6 / (fan_in + fan_out)),
             "HeUniform": math.sqrt(6 / fan_in), "LecunUniform": math.sqrt(3 / fan_in)}[name]
    for x in (mine, theirs):
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.999 * limit


@pytest.mark.parametrize("shape", [(64, 64), (200, 50), (50, 200), (3, 3, 16, 32)])
def test_orthogonal_same_distribution_as_tf(shape):
    mine, theirs = _both("Orthogonal", {"gain": 1.5}, shape)
    for x in (mine, theirs):
        m = x.reshape(-1, shape[-1]) / 1.5
        g = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        np.testing.assert_allclose(g, np.eye(g.shape[0]), atol=1e-5)
    assert abs(mine.std() - theirs.std()) < 0.03 * theirs.std()


@pytest.mark.parametrize("name", sorted(k for k in KERAS_NAMES
                                        if k not in ("Initializer", "initializer")
                                        and "stft" not in k.lower()))
def test_every_keras_name_resolves_to_same_class(name):
    keras_cls = KERAS_NAMES[name]
    assert type(I.get(name)).__name__ == keras_cls.__name__


@pytest.mark.parametrize("name", ["Zeros", "Ones", "Constant", "Identity", "RandomNormal",
                                  "RandomUniform", "TruncatedNormal", "VarianceScaling",
                                  "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
                                  "LecunUniform", "LecunNormal", "Orthogonal"])
def test_default_config_and_serialization_match_keras(name):
    theirs = getattr(TKI, name)()
    mine = getattr(I, name)()
    if name == "Identity":
        # Keras 3.15 drops `gain` from Identity's config (it keeps the base {}); we keep it,
        # and Keras's Identity.from_config accepts it.
        assert theirs.get_config() == {} and mine.get_config() == {"gain": 1.0}
        assert TKI.Identity.from_config(mine.get_config()).gain == 1.0
        return
    assert mine.get_config() == theirs.get_config()
    assert I.serialize(mine) == TKI.serialize(theirs)
    # a Keras config deserializes to the same configuration here
    assert I.deserialize(TKI.serialize(theirs)).get_config() == theirs.get_config()


def test_seeded_config_matches_keras():
    theirs = TKI.HeNormal(seed=7).get_config()
    assert I.HeNormal(seed=7).get_config() == theirs
    assert I.RandomUniform(seed=3, minval=0.0, maxval=1.0).get_config() == \
        TKI.RandomUniform(seed=3, minval=0.0, maxval=1.0).get_config()


def test_keras_seeded_initializer_repeats_like_ours():
    # Keras 3: a seeded initializer returns the same values on every call; so does ours
    t = TKI.GlorotUniform(seed=5)
    np.testing.assert_array_equal(t((3, 3)).numpy(), t((3, 3)).numpy())
    m = I.GlorotUniform(seed=5)
    np.testing.assert_array_equal(np.asarray(m((3, 3))), np.asarray(m((3, 3))))

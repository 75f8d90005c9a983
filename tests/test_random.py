"""jkeras.random: Keras's draws for int seeds and SeedGenerators, jit behaviour, errors."""
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import random

_KERAS_DRAWS = textwrap.dedent("""
    import os, pickle, sys
    os.environ["KERAS_BACKEND"] = "jax"
    import numpy as np, keras
    sys.path.insert(0, os.environ["JKERAS_TESTS"])
    from test_random import draws
    pickle.dump([np.asarray(o) for o in draws(keras.random)], open(sys.argv[1], "wb"))
""")


def draws(r):
    """The same draws from Keras's `keras.random` or `jkeras.random` (module `r`)."""
    g = r.SeedGenerator(42)
    logits = np.log(np.array([[0.2, 0.8], [0.9, 0.1]], "float32"))
    return [r.normal((3, 2), seed=g), r.normal((3, 2), seed=g),
            r.uniform((4,), seed=7, minval=1, maxval=3),
            r.truncated_normal((5,), seed=3, mean=1.0, stddev=2.0), r.randint((4,), 0, 10, seed=5),
            r.categorical(logits, 6, seed=2),
            r.dropout(np.ones((4, 5), "float32"), 0.5, seed=1),
            r.dropout(np.ones((4, 5), "float32"), 0.5, noise_shape=(None, 1), seed=1),
            r.shuffle(np.arange(8), seed=4), r.gamma((3,), 2.0, seed=6),
            r.binomial((3,), 10, 0.3, seed=8), r.beta((3,), 2.0, 3.0, seed=9)]


@pytest.mark.tensorflow  # Keras comes with the TensorFlow test extra
def test_draws_equal_keras_jax_backend(tmp_path):
    import pickle
    pytest.importorskip("keras")
    path = str(tmp_path / "draws.pkl")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               JKERAS_TESTS=os.path.dirname(__file__))
    subprocess.run([sys.executable, "-c", _KERAS_DRAWS, path], env=env, check=True,
                   capture_output=True)
    with open(path, "rb") as f:
        theirs = pickle.load(f)
    for ours, ref in zip(draws(random), theirs):
        assert np.asarray(ours).dtype == ref.dtype
        np.testing.assert_allclose(np.asarray(ours), ref, rtol=1e-6, atol=1e-6)


def test_seed_generator_advances_and_int_seed_repeats():
    g = random.SeedGenerator(1)
    a, b = random.normal((3,), seed=g), random.normal((3,), seed=g)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(random.normal((3,), seed=9), random.normal((3,), seed=9))
    np.testing.assert_array_equal(np.asarray(g.state), [1, 2])
    assert random.SeedGenerator.from_config(g.get_config()).get_config() == g.get_config()


def test_unseeded_draws_follow_set_random_seed():
    jkeras.utils.set_random_seed(3)
    a = random.uniform((4,))
    jkeras.utils.set_random_seed(3)
    np.testing.assert_array_equal(a, random.uniform((4,)))


def test_under_jit_outside_a_layer_seeded_ops_need_a_seed():
    assert jax.jit(lambda: random.normal((2,), seed=4))().shape == (2,)
    with pytest.raises(ValueError, match="seeded random ops"):
        jax.jit(lambda: random.normal((2,)))()
    g = random.SeedGenerator(2)
    with pytest.raises(ValueError, match="outside a layer call"):
        jax.jit(lambda: random.normal((2,), seed=g))()


class NoisyDropout(jkeras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = random.SeedGenerator(1337)

    def call(self, inputs, training=False):
        if training:
            return random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


def test_seed_generator_in_a_layer_works_under_jit_with_fresh_draws_per_key():
    layer = NoisyDropout(0.5)
    x = jnp.ones((4, 8))
    variables = layer.init(jax.random.PRNGKey(0), x)
    apply = jax.jit(lambda v, x, k: layer.apply(v, x, training=True, rng=k)[0])
    a, b = apply(variables, x, jax.random.PRNGKey(1)), apply(variables, x, jax.random.PRNGKey(2))
    assert set(np.unique(np.asarray(a))) <= {0.0, 2.0}
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, apply(variables, x, jax.random.PRNGKey(1)))
    np.testing.assert_array_equal(layer(x), x)  # inference: identity
    eager = layer(x, training=True)  # eager training call: the session key drives it
    assert set(np.unique(np.asarray(eager))) <= {0.0, 2.0}


def test_argument_errors_match_keras():
    with pytest.raises(ValueError, match="requires a floating point `dtype`"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="requires an integer `dtype`"):
        random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="should be a 2-D tensor"):
        random.categorical(np.zeros(3, "float32"), 2)
    with pytest.raises(ValueError, match="must be either an integer or an instance"):
        random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="Argument `seed` must be an integer"):
        random.SeedGenerator(1.5)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        random.SeedGenerator(1, bogus=2)

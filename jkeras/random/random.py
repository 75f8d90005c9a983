"""The random ops of `keras.random` on jax.random (Keras's JAX-backend draws for a given key)."""
import jax
import jax.numpy as jnp

from jkeras.core import config
from jkeras.random.seed_generator import draw_seed


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution."""
    dtype = dtype or config.floatx()
    return jax.random.normal(draw_seed(seed), shape=shape, dtype=dtype) * stddev + mean


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row of the 2-D `logits`."""
    logits = jnp.asarray(logits)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape "
                         f"[batch_size, num_classes]. Received: logits={logits}")
    shape = (logits.shape[0], num_samples)
    out = jax.random.categorical(draw_seed(seed), logits[..., None], shape=shape, axis=1)
    return out.astype(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on `[minval, maxval)`."""
    if dtype and not config.is_float_dtype(dtype):
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    dtype = dtype or config.floatx()
    return jax.random.uniform(draw_seed(seed), shape=shape, dtype=dtype, minval=minval,
                              maxval=maxval)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from `[minval, maxval)`."""
    if dtype and not config.is_int_dtype(dtype):
        raise ValueError("`keras.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype} ")
    return jax.random.randint(draw_seed(seed), shape=shape, dtype=dtype, minval=minval,
                              maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A normal distribution truncated to two standard deviations."""
    dtype = dtype or config.floatx()
    sample = jax.random.truncated_normal(draw_seed(seed), shape=shape, lower=-2.0, upper=2.0,
                                         dtype=dtype)
    return sample * stddev + mean


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero entries with probability `rate` and scale the rest by `1 / (1 - rate)`."""
    inputs = jnp.asarray(inputs)
    if rate == 1.0:
        return jnp.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    keep = 1.0 - rate
    shape = inputs.shape if noise_shape is None else tuple(
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    mask = jnp.broadcast_to(jax.random.bernoulli(draw_seed(seed), p=keep, shape=shape),
                            inputs.shape)
    return jax.lax.select(mask, inputs / keep, jnp.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    """`x` shuffled along `axis`."""
    return jax.random.permutation(draw_seed(seed), x, axis, independent=True)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from a gamma distribution with concentration `alpha`."""
    dtype = dtype or config.floatx()
    return jax.random.gamma(draw_seed(seed), alpha, shape=shape, dtype=dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from a binomial distribution."""
    dtype = dtype or config.floatx()
    key = draw_seed(seed)
    return jax.random.binomial(key=key, n=jnp.asarray(counts), p=jnp.asarray(probabilities),
                               shape=shape, dtype=dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from a beta distribution."""
    dtype = dtype or config.floatx()
    key = draw_seed(seed)
    return jax.random.beta(key=key, a=jnp.asarray(alpha), b=jnp.asarray(beta), shape=shape,
                           dtype=dtype)

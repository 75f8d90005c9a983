"""Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout and AlphaDropout: identity in
inference, random in training.

The random key comes from `self.call_rng()` (fit and eager training calls supply a fresh one per
call), so the layers stay pure under `jit`. A `seed` is folded into that key: two layers with
different seeds draw different masks from the same step key.
"""
import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.core import config


def _check_fraction(cls_name, arg, value):
    numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not numeric or not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{arg}` of {cls_name}. Expected "
                         f"a float value between 0 and 1. Received: {arg}={value!r}")
    return float(value)


def _check_seed(cls_name, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"{cls_name}: `seed` must be an integer or None. Received: seed={seed!r}")
    return None if seed is None else int(seed)


def _float_inputs(x, dtype):
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(dtype)


class _RandomLayer(Layer):
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def _key(self):
        key = self.call_rng()
        return key if self.seed is None else jax.random.fold_in(key, self.seed)

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(_RandomLayer):
    """Zero each unit with probability `rate` in training and scale the kept ones by
    `1 / (1 - rate)`; identity in inference. `noise_shape` (None entries = the input's size)
    shares one mask along the axes where it is 1. `rate=1` gives zeros, as in Keras."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        cls_name = type(self).__name__
        rate = _check_fraction(cls_name, "rate", rate)
        seed = _check_seed(cls_name, seed)
        noise_shape = self._validate_noise_shape(noise_shape)
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}

    @staticmethod
    def _validate_noise_shape(noise_shape):
        if noise_shape is None:
            return None
        head = "Invalid value received for argument `noise_shape`. "
        if isinstance(noise_shape, str):
            raise ValueError(f"{head}Expected a tuple or list of integers. "
                             f"Received: noise_shape={noise_shape}")
        try:
            noise_shape = tuple(noise_shape)
        except TypeError:
            raise ValueError(f"{head}Expected an iterable of integers (e.g., a tuple or list). "
                             f"Received: noise_shape={noise_shape}") from None
        for i, dim in enumerate(noise_shape):
            if dim is None:
                continue
            if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
                raise ValueError(f"{head}Expected all elements to be integers or None. "
                                 f"Received element at index {i}: {dim} "
                                 f"(type: {type(dim).__name__})")
            if dim <= 0:
                raise ValueError(f"{head}Expected all dimensions to be positive integers or "
                                 f"None. Received negative or zero value at index {i}: {dim}")
        return tuple(None if d is None else int(d) for d in noise_shape)

    def _get_noise_shape(self, x):
        if self.noise_shape is None:
            return x.shape
        if len(self.noise_shape) != x.ndim:
            raise ValueError(f"Layer '{self.name}': `noise_shape` {self.noise_shape} must have "
                             f"one entry per input axis. Received inputs of shape {x.shape}")
        shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        if any(d not in (1, n) for d, n in zip(shape, x.shape)):
            raise ValueError(f"Layer '{self.name}': `noise_shape` {self.noise_shape} must be "
                             f"broadcastable to the inputs' shape {x.shape}")
        return shape

    def call(self, inputs, training=False):
        x = _float_inputs(inputs, self.compute_dtype)
        if not training or self.rate == 0:
            return x
        if self.rate == 1:
            return jnp.zeros_like(x)
        keep_prob = 1.0 - self.rate
        keep = jax.random.bernoulli(self._key(), keep_prob, self._get_noise_shape(x))
        return jax.lax.select(jnp.broadcast_to(keep, x.shape), x / jnp.asarray(keep_prob, x.dtype),
                              jnp.zeros_like(x))


class _SpatialDropout(Dropout):
    def __init__(self, rate, seed=None, **kwargs):
        if "noise_shape" in kwargs:
            raise TypeError(f"{type(self).__name__} takes no `noise_shape`: it always drops "
                            "whole channels.")
        super().__init__(rate, seed=seed, **kwargs)

    def get_config(self):
        # Keras's spatial dropouts list only these (no noise_shape, no trainable, a dtype name).
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Drop whole channels of (batch, steps, channels) inputs."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, x):
        return (x.shape[0], 1, x.shape[2])


class _SpatialDropoutND(_SpatialDropout):
    _rank = None

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError("The `data_format` argument must be one of {'channels_first', "
                             f"'channels_last'}}. Received: data_format={data_format!r}")
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}

    def _get_noise_shape(self, x):
        ones = (1,) * self._rank
        if self.data_format == "channels_first":
            return (x.shape[0], x.shape[1]) + ones
        return (x.shape[0],) + ones + (x.shape[-1],)


class SpatialDropout2D(_SpatialDropoutND):
    """Drop whole feature maps of 4D inputs (channels last by default)."""
    _rank = 2


class SpatialDropout3D(_SpatialDropoutND):
    """Drop whole feature volumes of 5D inputs (channels last by default)."""
    _rank = 3


class _GaussianLayer(_RandomLayer):
    """A layer whose one argument in [0, 1] (`_amount`: its name) sets Gaussian noise drawn in
    training only; identity in inference or when the argument is 0."""
    _amount = None

    def _init_amount(self, value, seed, kwargs):
        cls_name = type(self).__name__
        value = _check_fraction(cls_name, self._amount, value)
        seed = _check_seed(cls_name, seed)
        super().__init__(**kwargs)
        setattr(self, self._amount, value)
        self.seed = seed

    def get_config(self):
        return {**super().get_config(), self._amount: getattr(self, self._amount),
                "seed": self.seed}

    def call(self, inputs, training=False):
        x = _float_inputs(inputs, self.compute_dtype)
        amount = getattr(self, self._amount)
        if not training or amount == 0:
            return x
        return self._apply_noise(x, amount, jax.random.normal(self._key(), x.shape, x.dtype))


class GaussianNoise(_GaussianLayer):
    """Add zero-centred Gaussian noise of standard deviation `stddev` in training only."""
    _amount = "stddev"

    def __init__(self, stddev, seed=None, **kwargs):
        self._init_amount(stddev, seed, kwargs)

    @staticmethod
    def _apply_noise(x, stddev, normal):
        return x + normal * jnp.asarray(stddev, x.dtype)


class GaussianDropout(_GaussianLayer):
    """Multiply by 1-centred Gaussian noise of standard deviation `sqrt(rate / (1 - rate))` in
    training only."""
    _amount = "rate"

    def __init__(self, rate, seed=None, **kwargs):
        self._init_amount(rate, seed, kwargs)

    @staticmethod
    def _apply_noise(x, rate, normal):
        return x * (1.0 + normal * math.sqrt(rate / (1.0 - rate)))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's self-normalising mean and variance: dropped units take SELU's
    negative saturation value, then an affine map restores the statistics (training only)."""

    def get_config(self):
        # tf.keras 2.21's AlphaDropout (keras.src.legacy) lists no noise_shape; Keras 3's does.
        config = super().get_config()
        if self.noise_shape is None:
            del config["noise_shape"]
        return config

    def call(self, inputs, training=False):
        x = _float_inputs(inputs, self.compute_dtype)
        if not training or self.rate == 0:
            return x
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = jax.random.uniform(self._key(), self._get_noise_shape(x)) >= self.rate
        kept = kept.astype(x.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (x * kept + alpha_p * (1 - kept)) + b

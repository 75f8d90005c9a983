"""Random initializers with Keras 3's formulas: normal, uniform, truncated, variance scaling
(Glorot / He / LeCun presets) and orthogonal."""
import math

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.initializers.base import Initializer, _global_key


class RandomInitializer(Initializer):
    """Base of random initializers: holds the optional integer `seed`."""

    _random = True

    def __init__(self, seed=None):
        if seed is not None and (
            not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)
        ):
            raise ValueError(
                f"`seed` argument should be an integer or None. Received: seed={seed}"
            )
        self.seed = None if seed is None else int(seed)

    def _resolve_key(self, key):
        if self.seed is not None:
            return jax.random.PRNGKey(self.seed)
        if key is None:
            return _global_key()
        return key

    def get_config(self):
        return {"seed": self.seed}


def _check_float(dtype, name):
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"{name} can only produce floating dtypes. Received: dtype={dtype}")


class _MeanStd(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomNormal(_MeanStd):
    """Normal(mean, stddev)."""

    def generate(self, shape, dtype, key):
        _check_float(dtype, type(self).__name__)
        x = jax.random.normal(key, shape, dtype)
        return x * jnp.asarray(self.stddev, dtype) + jnp.asarray(self.mean, dtype)


class TruncatedNormal(_MeanStd):
    """Normal(mean, stddev) with values beyond 2 stddev redrawn (truncated at +-2 sigma)."""

    def generate(self, shape, dtype, key):
        _check_float(dtype, type(self).__name__)
        return _truncated(key, shape, dtype, self.stddev, self.mean)


class RandomUniform(RandomInitializer):
    """Uniform[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def generate(self, shape, dtype, key):
        _check_float(dtype, type(self).__name__)
        return jax.random.uniform(key, shape, dtype, self.minval, self.maxval)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def _truncated(key, shape, dtype, stddev, mean=0.0):
    x = jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype)
    return x * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) as Keras: conv kernels (..., in, out) multiply by prod(shape[:-2])."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field_size = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field_size), int(shape[-1] * receptive_field_size)


class VarianceScaling(RandomInitializer):
    """Samples with variance `scale / n`, n = fan_in, fan_out or their mean (`mode`).

    distribution "truncated_normal" (alias "normal"): stddev sqrt(scale/n)/0.8796..., cut at 2
    stddev; "untruncated_normal": stddev sqrt(scale/n); "uniform": limit sqrt(3 scale/n).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. Please use one of {allowed}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def generate(self, shape, dtype, key):
        _check_float(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution == "truncated_normal":
            # 0.8796... = stddev of a unit normal truncated to [-2, 2]
            return _truncated(key, shape, dtype, math.sqrt(scale) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return jax.random.normal(key, shape, dtype) * jnp.asarray(math.sqrt(scale), dtype)
        limit = math.sqrt(3.0 * scale)
        return jax.random.uniform(key, shape, dtype, -limit, limit)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__,
    })


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in +-sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)) / 0.8796...")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal, stddev sqrt(2 / fan_in) / 0.8796...")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal, stddev sqrt(1 / fan_in) / 0.8796...")


class Orthogonal(RandomInitializer):
    """`gain` times an orthogonal matrix (QR of a normal matrix, Q's columns signed by diag(R)).

    Shapes of rank > 2 are flattened to (prod(shape[:-1]), shape[-1]).
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def generate(self, shape, dtype, key):
        _check_float(dtype, "Orthogonal")
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        work = dtype if jnp.finfo(dtype).bits >= 32 else jnp.float32  # QR needs >= f32
        a = jax.random.normal(key, flat_shape, work)
        q, r = jnp.linalg.qr(a)
        q = q * jnp.sign(jnp.diagonal(r))  # make Q uniform (Haar)
        if num_rows < num_cols:
            q = q.T
        return (jnp.asarray(self.gain, work) * q.reshape(shape)).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}

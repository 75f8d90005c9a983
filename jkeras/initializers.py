"""Weight initializers with Keras 3 (`keras.initializers`) names, arguments and formulas.

Calling convention: `init(shape, dtype="float32", key=None)` returns a jnp array.
A random initializer built with an integer `seed` uses `jax.random.PRNGKey(seed)` and ignores
`key` (same values on every call, as Keras 3 documents); otherwise it uses `key`, and when that
is None too it draws from this module's global generator (reset with `set_random_seed`).
Shape and dtype are static, so initializers run under `jax.jit` with a traced key.
"""
import inspect
import itertools
import math
import random as _py_random
import re
import threading

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "Identity", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
    "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "compute_fans",
    "set_random_seed", "get", "serialize", "deserialize",
]

# ---- global generator: PRNGKey(global seed) folded with a call counter ----
_lock = threading.Lock()
_global_seed = _py_random.SystemRandom().randint(1, 10**9)  # unseeded like Keras
_counter = itertools.count()


def set_random_seed(seed):
    """Resets the global generator (and seeds Python's `random` and NumPy, as Keras does)."""
    global _global_seed, _counter
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})"
        )
    seed = int(seed)
    with _lock:
        _global_seed = seed
        _counter = itertools.count()
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)


def _global_key():
    """A fresh key from the global generator (concrete even while tracing)."""
    with _lock:
        seed, n = _global_seed, next(_counter)
    with jax.ensure_compile_time_eval():
        return jax.random.fold_in(jax.random.PRNGKey(seed), n)


def _std_shape(shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(
            f"Initializer shape must be a tuple of integers. Received: shape={shape}"
        ) from None


def _std_dtype(dtype):
    return jnp.dtype("float32" if dtype is None else dtype)


class Initializer:
    """Base class. Subclasses implement `generate(shape, dtype, key)`.

    `__call__(shape, dtype="float32", key=None)` standardizes shape and dtype, resolves the
    key for random initializers, then calls `generate`.
    """

    _random = False

    def __call__(self, shape, dtype="float32", key=None):
        shape, dtype = _std_shape(shape), _std_dtype(dtype)
        if self._random:
            key = self._resolve_key(key)
        return self.generate(shape, dtype, key)

    def generate(self, shape, dtype, key):
        raise NotImplementedError(
            "Initializer subclasses must implement `generate(shape, dtype, key)` "
            "or `__call__(shape, dtype='float32', key=None)`."
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---- constant initializers ----
class Zeros(Initializer):
    """All zeros."""

    def generate(self, shape, dtype, key):
        return jnp.zeros(shape, dtype)


class Ones(Initializer):
    """All ones."""

    def generate(self, shape, dtype, key):
        return jnp.ones(shape, dtype)


class Constant(Initializer):
    """`value` (a scalar, or an array broadcast to `shape`) cast to `dtype`."""

    def __init__(self, value=0.0):
        self.value = value

    def generate(self, shape, dtype, key):
        return jnp.asarray(self.value, dtype) * jnp.ones(shape, dtype)

    def get_config(self):
        v = self.value
        if isinstance(v, (np.ndarray, jax.Array)):  # Keras's numpy encoding
            arr = np.asarray(v)
            v = {"class_name": "__numpy__",
                 "config": {"value": arr.tolist(), "dtype": str(arr.dtype)}}
        elif isinstance(v, np.generic):
            v = v.item()
        return {"value": v}

    @classmethod
    def from_config(cls, config):
        v = config.get("value", 0.0)
        if isinstance(v, dict) and v.get("class_name") == "__numpy__":
            v = np.asarray(v["config"]["value"], dtype=v["config"]["dtype"])
        return cls(v)


class Identity(Initializer):
    """`gain * eye(rows, cols)`; only for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def generate(self, shape, dtype, key):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return jnp.asarray(self.gain, dtype) * jnp.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


# ---- random initializers ----
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


# ---- callables wrapped to the calling convention ----
class _FunctionInitializer(Initializer):
    """Wraps `fn(key, shape, dtype)` (JAX style) or `fn(shape, dtype=None)` (Keras style)."""

    def __init__(self, fn, jax_style):
        self.fn = fn
        self.jax_style = jax_style
        self._random = jax_style

    def _resolve_key(self, key):
        return _global_key() if key is None else key

    def generate(self, shape, dtype, key):
        if self.jax_style:
            return jnp.asarray(self.fn(key, shape, dtype))
        return jnp.asarray(self.fn(shape, dtype=dtype.name), dtype)

    def get_config(self):
        raise ValueError(f"Initializer function {self.fn!r} has no config.")

    def __repr__(self):
        return f"{type(self).__name__}({self.fn!r})"


def _is_jax_style(fn):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return bool(positional) and positional[0].name in ("key", "rng")


_CLASSES = [Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal]


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update({_snake(c.__name__): c for c in _CLASSES})
_BY_NAME.update({  # Keras 3 aliases
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
    "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros,
})


def _unknown(identifier):
    return ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. "
        "Valid names: " + ", ".join(sorted(k for k in _BY_NAME if k == k.lower())) + "."
    )


def serialize(initializer):
    """Keras's serialized form: {"module", "class_name", "config", "registered_name"}."""
    if isinstance(initializer, _FunctionInitializer):
        name = getattr(initializer.fn, "__name__", "<lambda>")
        if name != "<lambda>":  # Keras's form for a plain function
            return {"module": getattr(initializer.fn, "__module__", None),
                    "class_name": "function", "config": name, "registered_name": "function"}
    elif isinstance(initializer, Initializer):
        return {"module": "keras.initializers", "class_name": type(initializer).__name__,
                "config": initializer.get_config(), "registered_name": None}
    raise ValueError(
        f"Cannot serialize initializer {initializer!r}: only initializer instances and "
        "named functions have a Keras config."
    )


def deserialize(config):
    """From a class name string or a `{"class_name": ..., "config": {...}}` dict."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise _unknown(config)
    cls = _BY_NAME.get(config["class_name"])
    if cls is None:
        raise _unknown(config["class_name"])
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Returns an Initializer (or None for None).

    Accepts a Keras name/alias, a config dict, an Initializer instance or class, an array
    (used as the value, shape must match), or a callable: JAX style `fn(key, shape, dtype)`
    when its first positional parameter is named `key`, else Keras style `fn(shape, dtype=None)`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        call = type(identifier).__call__
        if call is not Initializer.__call__ and "key" not in inspect.signature(call).parameters:
            # a Keras-style subclass overriding __call__(shape, dtype=None)
            return _FunctionInitializer(identifier, jax_style=False)
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, (np.ndarray, np.generic, jax.Array)):
        value = identifier

        def from_array(shape, dtype=None):
            if tuple(shape) != tuple(np.shape(value)):
                raise ValueError(
                    f"Expected `shape` to be {tuple(np.shape(value))} for direct tensor as "
                    f"initializer. Received shape={tuple(shape)}"
                )
            return jnp.asarray(value, dtype)

        return _FunctionInitializer(from_array, jax_style=False)
    if callable(identifier):
        return _FunctionInitializer(identifier, jax_style=_is_jax_style(identifier))
    raise _unknown(identifier)

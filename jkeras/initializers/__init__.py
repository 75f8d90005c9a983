"""Weight initializers with Keras 3 (`keras.initializers`) names, arguments and formulas."""
import inspect

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.naming import to_snake_case
from jkeras.core.random import set_random_seed
from jkeras.initializers.base import Initializer, _FunctionInitializer, _is_jax_style
from jkeras.initializers.constant import STFT, Constant, Identity, Ones, Zeros
from jkeras.initializers.random_initializers import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
    RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, compute_fans)

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "Identity", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
    "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "compute_fans",
    "set_random_seed", "get", "serialize", "deserialize", "STFT",
    # Keras's other exported names for the same classes
    "IdentityInitializer", "OrthogonalInitializer", "STFTInitializer", "constant",
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal",
    "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform", "stft",
    "truncated_normal", "variance_scaling", "zeros",
]

IdentityInitializer = identity = Identity
OrthogonalInitializer = orthogonal = Orthogonal
STFTInitializer = stft = STFT
constant, ones, zeros = Constant, Ones, Zeros
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, \
    HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling

# Every name of `keras.initializers` is provided (tests/test_keras_catalogue.py checks).
LEFT_OUT = {}

_CLASSES = [Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, STFT]


_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update({to_snake_case(c.__name__): c for c in _CLASSES})
_BY_NAME.update({  # Keras 3 aliases
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
    "STFTInitializer": STFT,
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

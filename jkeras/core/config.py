"""Session configuration of Keras 3 (`keras.config`): floatx, epsilon, image data format.

Kept on the lowest floor so every layer and op can read it. Values are plain Python state read at
trace time: change them before building/compiling, as in Keras.
"""
import importlib.util
import json
import os
import warnings

import jax.numpy as jnp
import numpy as np

_state = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last",
          "flash_attention": None}

_FLOATX = ("bfloat16", "float16", "float32", "float64")
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8",
                  "int16", "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn",
                  "float8_e5m2", "complex64", "complex128")
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                  complex: "complex64"}


def _env_int(name):
    value = os.environ.get(name)
    return int(value) if value else None


# Limits for debugging runs (Keras's KERAS_MAX_EPOCHS / KERAS_MAX_STEPS_PER_EPOCH)
_limits = {"max_epochs": _env_int("KERAS_MAX_EPOCHS"),
           "max_steps_per_epoch": _env_int("KERAS_MAX_STEPS_PER_EPOCH")}


def set_max_epochs(max_epochs):
    """Limit the number of epochs of every `fit` (None: no limit); for debugging runs."""
    _limits["max_epochs"] = max_epochs


def max_epochs():
    """The limit on the epochs of any `fit`, or None."""
    return _limits["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Limit the steps of every epoch of `fit`, and of `evaluate` / `predict` (None: no
    limit); for debugging runs."""
    _limits["max_steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch():
    """The limit on the steps of any fit epoch, evaluate or predict, or None."""
    return _limits["max_steps_per_epoch"]


def backend():
    """The name of the backend: always `"jax"`."""
    return "jax"


_KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")


def set_backend(backend):
    """Select the backend, as `keras.config.set_backend`: jkeras runs on JAX only, so `"jax"`
    is the one choice. It sets `KERAS_BACKEND=jax` (as Keras does, for Keras imported later);
    jkeras itself needs no reload, and objects created before stay usable."""
    if backend not in _KERAS_BACKENDS:
        raise ValueError("Available backends are ('tensorflow', 'jax', 'torch', 'numpy' and "
                         f"'openvino'). Received: backend={backend}")
    if backend != "jax":
        raise ValueError(f"jkeras runs on JAX only: it has no '{backend}' backend. Received: "
                         f"backend={backend}. Use `set_backend('jax')`, or Keras itself "
                         f"(`import keras` with KERAS_BACKEND={backend}) for that backend.")
    os.environ["KERAS_BACKEND"] = backend


def _keras_dir():
    """Keras's home: $KERAS_HOME, else ~/.keras (/tmp/.keras where ~ is not writable)."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")


def _nnx_setting():
    """Keras's `nnx_enabled`: False, else the keras.json value, else KERAS_NNX_ENABLED."""
    enabled = False
    try:
        with open(os.path.join(_keras_dir(), "keras.json")) as f:
            enabled = json.load(f).get("nnx_enabled", enabled)
    except (OSError, ValueError, AttributeError):
        pass  # no file, or not a JSON object: Keras's defaults
    if "KERAS_NNX_ENABLED" in os.environ:
        enabled = os.environ["KERAS_NNX_ENABLED"].lower() in ("true", "1")
    return bool(enabled)


def is_nnx_enabled():
    """Whether NNX is enabled in Keras's configuration (`KERAS_NNX_ENABLED`, or `nnx_enabled`
    in `keras.json`); `False` by default.

    In Keras it turns Keras layers into `flax.nnx` Modules. jkeras layers are pure
    `init` / `apply` pairs whatever it says (jkeras warns at import when it is set), and
    `layers.FlaxLayer` wraps `flax.nnx` Modules (and linen ones) in either case."""
    return _nnx["enabled"]


_nnx = {"enabled": _nnx_setting()}
if _nnx["enabled"]:
    if importlib.util.find_spec("flax") is None:
        raise ImportError("To use NNX with the JAX backend, you must install `flax`.")
    warnings.warn("NNX is enabled in Keras's configuration (KERAS_NNX_ENABLED or keras.json): "
                  "`keras.config.is_nnx_enabled()` reports it, but jkeras layers are not "
                  "`flax.nnx` Modules; wrap NNX modules in a model with `layers.FlaxLayer`.",
                  stacklevel=2)


def floatx():
    """The default float type, as a string (`'float32'` unless set)."""
    return _state["floatx"]


def set_floatx(value):
    if value not in _FLOATX:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOATX)}")
    _state["floatx"] = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (`1e-7` unless set)."""
    return _state["epsilon"]


def set_epsilon(value):
    _state["epsilon"] = value


def image_data_format():
    """`'channels_last'` (default) or `'channels_first'`."""
    return _state["image_data_format"]


def _checked_data_format(data_format):
    data_format = str(data_format).lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of "
                         "{'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format}")
    return data_format


def set_image_data_format(data_format):
    _state["image_data_format"] = _checked_data_format(data_format)


def standardize_data_format(data_format):
    """`None` -> the configured default; otherwise validated as Keras does."""
    if data_format is None:
        return image_data_format()
    return _checked_data_format(data_format)


def enable_flash_attention():
    """Let `dot_product_attention` use flash attention where the platform has it (default)."""
    _state["flash_attention"] = None


def disable_flash_attention():
    """Never use flash attention in `dot_product_attention`."""
    _state["flash_attention"] = False


def is_flash_attention_enabled():
    """`None` (use when available, the default) or `False` (disabled)."""
    return _state["flash_attention"]


def standardize_dtype(dtype):
    """A Keras dtype name (`'float32'`, `'int32'`, ...); `None` means floatx."""
    if dtype is None:
        return floatx()
    dtype = _PYTHON_DTYPES.get(dtype, dtype)
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "jax.numpy" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype):
    dtype = standardize_dtype(dtype)
    return dtype.startswith("float") or dtype.startswith("bfloat")


def is_int_dtype(dtype):
    dtype = standardize_dtype(dtype)
    return dtype.startswith("int") or dtype.startswith("uint")


_BIT64_TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32",
                "complex128": "complex64"}


def result_type(*dtypes):
    """Keras's type promotion on JAX (the JAX lattice, 64-bit types narrowed to 32 bits).

    Python `int` / `float` are weak: they take the other operand's kind and width, and on their
    own resolve to the precision of `floatx()`.
    """
    if not dtypes:
        return floatx()
    for d in dtypes:
        if d in ("float8_e4m3fn", "float8_e5m2"):
            raise ValueError("There is no implicit conversions from float8 dtypes to others."
                             f" You must cast it internally. Received: {dtypes}")
    args = [floatx() if d is None else d for d in dtypes]
    weak = [d is int or d is float for d in args]
    strong = [standardize_dtype(d) for d, w in zip(args, weak) if not w]
    strong = [_BIT64_TO_32.get(d, d) for d in strong]
    if all(weak):
        kinds = {("float" if d is float else "int") for d in args}
        precision = floatx()[-2:]
        out = f"float{precision}" if "float" in kinds else f"int{precision}"
        return _BIT64_TO_32.get(out, out)
    jargs = [np.dtype(jnp.dtype(d)) if d != "bfloat16" else jnp.bfloat16 for d in strong]
    jargs += [d for d, w in zip(args, weak) if w]
    out = jnp.result_type(*jargs).name
    return _BIT64_TO_32.get(out, out)

"""`jkeras.config.enable_compilation_cache(path)`: JAX's persistent compilation cache, set so
that the small programs of a Keras model (one step, the partial batch, evaluation) are cached.

JAX caches only programs that took at least a second to compile by default; a small model's
programs take less, and a later process would compile them all again. The thresholds here make
every program worth keeping land in the cache; a second process with the same model, shapes,
jax version and machine reads them back instead of compiling (see docs/speed.md).
"""
import numbers
import os

import jax
from jax.experimental.compilation_cache import compilation_cache as _jax_cache

_state = {"path": None}


def enable_compilation_cache(path, min_compile_time_secs=0.0, min_entry_size_bytes=0):
    """Turn on JAX's persistent compilation cache in the directory `path` (created if missing).

    Args:
        path: a directory (str or path-like) shared by the processes that should reuse
            compiled programs.
        min_compile_time_secs: programs that compiled faster than this are not written
            (0: every program; JAX's own default is 1 second).
        min_entry_size_bytes: programs smaller than this are not written (0: every size).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError("`path` must be a directory path (a string or path-like). "
                        f"Received: path={path!r} of type {type(path).__name__}")
    path = os.fspath(path)
    if not path:
        raise ValueError("`path` must be a non-empty directory path. Received: path=''")
    for name, value in (("min_compile_time_secs", min_compile_time_secs),
                        ("min_entry_size_bytes", min_entry_size_bytes)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
            raise ValueError(f"`{name}` must be a number >= 0. Received: {name}={value!r}")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError("`path` must be a directory, but a file exists there. "
                         f"Received: path={path!r}")
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_enable_compilation_cache", True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_time_secs))
    # JAX: -1 = no size restriction; a positive value = that minimum
    jax.config.update("jax_persistent_cache_min_entry_size_bytes",
                      int(min_entry_size_bytes) or -1)
    _jax_cache.reset_cache()  # a directory set after the first compile takes effect too
    _state["path"] = path


def disable_compilation_cache():
    """Stop reading and writing the persistent compilation cache."""
    jax.config.update("jax_compilation_cache_dir", None)
    _jax_cache.reset_cache()
    _state["path"] = None


def compilation_cache_dir():
    """The directory given to `enable_compilation_cache`, or None when it is off."""
    return _state["path"]

"""Utilities with Keras's names."""
from jkeras.core.naming import reset_names
from jkeras.core.random import set_random_seed as _core_seed


def set_random_seed(seed):
    """Seed Python, NumPy and jkeras's key stream (`keras.utils.set_random_seed`)."""
    _core_seed(seed)
    try:
        from jkeras import initializers
        if hasattr(initializers, "set_random_seed"):
            initializers.set_random_seed(seed)
    except ImportError:
        pass


def clear_session():
    """Restart automatic layer names (`dense`, `dense_1`, ...), as `keras.backend.clear_session`."""
    reset_names()

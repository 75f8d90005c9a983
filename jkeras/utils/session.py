"""Session utilities: `set_random_seed` and `clear_session`."""
from jkeras.core.naming import reset_names
from jkeras.core.random import set_random_seed


def clear_session():
    """Restart automatic layer names (`dense`, `dense_1`, ...), as `keras.backend.clear_session`."""
    reset_names()


__all__ = ["set_random_seed", "clear_session"]

"""Session utilities: `set_random_seed` and `clear_session`."""
from jkeras.core.dtype_policy import clear_dtype_policy
from jkeras.core.naming import reset_names
from jkeras.core.random import set_random_seed


def clear_session():
    """Restart automatic layer names (`dense`, `dense_1`, ...) and forget the global dtype
    policy, as `keras.backend.clear_session`."""
    reset_names()
    clear_dtype_policy()


__all__ = ["set_random_seed", "clear_session"]

"""Keras-style automatic names: `dense`, `dense_1`, ... counted per prefix for the session."""
import re
import collections

_counters = collections.defaultdict(int)


def to_snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()  # Keras: Conv2D -> conv2d
    return name


def unique_name(prefix):
    """First `prefix`, then `prefix_1`, `prefix_2`, ... as Keras 3's auto-naming does."""
    count = _counters[prefix]
    _counters[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Restart the counters (as `keras.backend.clear_session()` does)."""
    _counters.clear()


def get_uid(prefix=""):
    """The next number for `prefix` (1 first), the counter auto-names share (Keras's get_uid)."""
    _counters[prefix] += 1
    return _counters[prefix]

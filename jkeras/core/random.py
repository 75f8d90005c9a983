"""Session-wide seeding for eager builds and training-mode calls (Keras's `set_random_seed`)."""
import random as _pyrandom

import jax
import numpy as np

from jkeras.core.scoped import Scoped

_state = {"seed": None, "count": 0}


def set_random_seed(seed):
    """Seed Python, NumPy and jkeras's key stream, as `keras.utils.set_random_seed` does."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError("Expected `seed` argument to be an integer. "
                         f"Received: seed={seed} (of type {type(seed)})")
    _state["seed"], _state["count"] = int(seed), 0
    _pyrandom.seed(int(seed))
    np.random.seed(int(seed) % (2 ** 32))


def get_random_seed():
    """The seed `set_random_seed` set (or the one drawn for the session), else None."""
    return _state["seed"]


def next_key():
    """A fresh key. Unseeded sessions draw their seed once from the OS, like Keras."""
    if _state["seed"] is None:
        _state["seed"] = int(np.random.SeedSequence().entropy % (2 ** 31))
    _state["count"] += 1
    return _derive_key(_state["seed"], np.uint32(_state["count"]))


@jax.jit
def _fold(key, count):
    return jax.random.fold_in(key, count)


def _derive_key(seed, count):
    # One dispatch per key (eager PRNGKey + fold_in cost ~1.5 ms per fit on a GPU).
    return _fold(_seed_key(seed), count)


_SEED_KEYS = {}


def _seed_key(seed):
    if seed not in _SEED_KEYS:
        _SEED_KEYS.clear()
        _SEED_KEYS[seed] = jax.random.PRNGKey(seed)
    return _SEED_KEYS[seed]


def as_key(key):
    if isinstance(key, (int, np.integer)):
        return jax.random.PRNGKey(int(key))
    if key is None:
        return next_key()
    return key


# ------------------------------------------------------------------ the running step's keys
class KeyStream:
    """The random keys of one training step: the step's key first, then fresh keys folded
    from it (each `stateless_call` and SeedGenerator draw inside a custom step gets its own)."""

    def __init__(self, key):
        self.key, self.count = key, 0

    def next(self):
        self.count += 1
        return self.key if self.count == 1 else jax.random.fold_in(self.key, self.count)


_step_keys = Scoped()


def step_keys(key):
    """`with step_keys(key):` code run by a training step draws its keys from `key`."""
    return _step_keys.using(KeyStream(key))


def next_step_key():
    """A fresh key of the running step, or None outside one."""
    stream = _step_keys.current
    return None if stream is None else stream.next()

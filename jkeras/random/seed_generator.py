"""`keras.random.SeedGenerator` and the seed argument of the random ops.

Keras (JAX backend) keys are raw uint32 pairs: an int seed `s` is the key `[s, 0]`, and a
`SeedGenerator(s)` hands out `[s, 0]`, `[s, 1]`, ... . Eagerly, jkeras draws exactly these, so
eager results equal Keras's.

Under `jit`, Python state cannot advance between calls, so a generator used inside a layer's
`call` draws from that call's random key instead (fit and eager training calls supply a fresh
key per step; `apply(..., rng=key)` does too), folded with the generator's seed: every step gets
new, reproducible draws, and two generators with different seeds draw differently. Used under
`jit` outside any layer call, a SeedGenerator raises (its draws would be frozen into the trace):
pass an int seed or a key array then. Inside a custom `train_step` run by fit, draws come from
the step's key the same way.
"""
import random as _pyrandom

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import frame as frames
from jkeras.core import naming, random as session_random
from jkeras.core.config_object import ConfigObject


def _tracing():
    return isinstance(jnp.ones(()), jax.core.Tracer)


def _frame_key():
    frame = frames.current_frame()
    if frame is not None and frame.rng is not None:
        return frame.next_rng()
    return None


class SeedGenerator(ConfigObject):
    """A stream of seeds for the random ops: pass it as `seed=` to draw new values each call."""

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or naming.unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = _pyrandom.randint(1, int(1e9))
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self._seed = int(seed)
        self._count = 0

    @property
    def state(self):
        """The next key Keras would draw: `[seed, count]` (uint32)."""
        return jnp.array([self._seed & 0xFFFFFFFF, self._count], dtype=jnp.uint32)

    def next(self, ordered=True):
        """The next key (a uint32 pair). Inside a layer call: derived from the call's key."""
        key = _frame_key()
        if key is None:
            key = session_random.next_step_key()  # inside a custom train_step
        if key is not None:
            return jax.random.fold_in(key, self._seed & 0xFFFFFFFF)
        if _tracing():
            raise ValueError(
                f"SeedGenerator '{self.name}' was used under `jax.jit` outside a layer call "
                "and outside a training step, "
                "where its state cannot advance (every call would draw the same numbers). "
                "Use it inside a layer's `call` (the call's random key drives it), or pass an "
                "int seed or a key array as `seed=`.")
        key = self.state
        self._count += 1
        return key

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}


def draw_seed(seed):
    """A JAX key for a Keras `seed` argument (int, SeedGenerator, key array or None)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return jnp.array([int(seed) & 0xFFFFFFFF, 0], dtype=jnp.uint32)
    if isinstance(seed, jax.Array):
        return seed
    if seed is None:
        key = _frame_key()
        if key is not None:
            return key
        if _tracing():
            raise ValueError(
                "[JAX RNG] When tracing a JAX function, you should only use seeded random ops, "
                "e.g. you should create a `SeedGenerator` instance, attach it to your "
                "layer/model, and pass the instance as the `seed` argument when calling random "
                "ops. Unseeded random ops would get incorrectly traced by JAX and would become "
                "constant after tracing. Example:\n\n```\n# Make sure to set the seed generator "
                "as a layer attribute\nself.seed_generator = "
                "keras.random.SeedGenerator(seed=1337)\n...\nout = keras.random.normal("
                "shape=(1,), seed=self.seed_generator)\n```")
        return session_random.next_key()
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")

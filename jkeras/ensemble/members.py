"""Building the members of an `Ensemble` so that each one is exactly its solo run.

A solo run of member i is `set_random_seed(seed_i); model = model_fn(); model.fit(...)`: the
model's initial weights, and the PRNG key `fit` draws for dropout and shuffling, both come from
jkeras's session key stream. Each member therefore keeps its own copy of that stream
(`MemberStreams`): it is swapped in whenever the member may draw keys (building, `fit`) and
saved back afterwards, so the member sees the same sequence of keys as if it ran alone, and
the caller's own stream (and NumPy / Python seeds) is left as it was.
"""
import contextlib
import random as _pyrandom
import types

import jax
import numpy as np

from jkeras.core import naming
from jkeras.core import random as core_random


@contextlib.contextmanager
def _caller_rng_kept():
    """Restore the caller's key stream and NumPy / Python generators on exit."""
    saved = (dict(core_random._state), np.random.get_state(), _pyrandom.getstate())
    try:
        yield
    finally:
        core_random._state.clear()
        core_random._state.update(saved[0])
        np.random.set_state(saved[1])
        _pyrandom.setstate(saved[2])


class MemberStreams:
    """One saved copy of jkeras's key stream per member."""

    def __init__(self, n):
        self.states = [None] * n
        self._bases = {}

    def draw_keys(self):
        """What `next_key()` returns in each member's stream, as (base keys, counts) for
        `fold_in(base, count)` (computed for all members in one compiled call); every stream
        advances by one, as `fit`'s `seed_key()` advances it."""
        bases, counts = [], []
        for st in self.states:
            st["count"] += 1
            if st["seed"] not in self._bases:
                self._bases[st["seed"]] = np.asarray(jax.random.PRNGKey(st["seed"]))
            bases.append(self._bases[st["seed"]])
            counts.append(st["count"])
        return np.stack(bases), np.asarray(counts, np.uint32)

    @contextlib.contextmanager
    def active(self, i):
        """Member i's stream is the session stream inside the block."""
        with _caller_rng_kept():
            core_random._state.clear()
            core_random._state.update(self.states[i])
            try:
                yield
            finally:
                self.states[i] = dict(core_random._state)


def check_n_and_seeds(n, seeds):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`n` (the number of ensemble members) must be a positive integer. "
                         f"Received: n={n!r}")
    n = int(n)
    if seeds is None:
        return n, list(range(n))
    seeds = list(seeds)
    if len(seeds) != n:
        raise ValueError(f"Expected one seed per member: `seeds` must have n={n} entries. "
                         f"Received {len(seeds)} seeds: {seeds!r}")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise ValueError(f"Every entry of `seeds` must be an integer. Received: {s!r} "
                             f"(of type {type(s).__name__}) in seeds={seeds!r}")
    return n, [int(s) for s in seeds]


def build_members(model_fn, seeds):
    """-> (models, MemberStreams). Member i = `model_fn()` right after `set_random_seed(seeds[i])`.

    Every call starts from the same automatic-name counters, so all members get the same layer
    names (the variables of all members then share one pytree structure, as stacking needs)."""
    from jkeras.models import Model
    if isinstance(model_fn, Model) or not callable(model_fn):
        raise ValueError("`model_fn` must be a callable that builds and returns a new jkeras "
                         f"Model (e.g. a function or a lambda). Received: model_fn={model_fn!r}")
    names_before = dict(naming._counters)
    models, streams = [], MemberStreams(len(seeds))
    with _caller_rng_kept():
        for i, seed in enumerate(seeds):
            naming._counters.clear()
            naming._counters.update(names_before)
            core_random.set_random_seed(seed)
            model = model_fn()
            if not isinstance(model, Model):
                raise ValueError("`model_fn` must return a jkeras Model (Sequential, functional "
                                 f"or subclassed). Received: {type(model).__name__} "
                                 f"(from model_fn={model_fn!r})")
            if any(model is m for m in models):
                raise ValueError("`model_fn` returned the same model object twice: it must "
                                 "build a new model on every call (one per member).")
            models.append(model)
            streams.states[i] = dict(core_random._state)
    return models, streams


# ---------------------------------------------------------------------------- consistency
def _shapes(model):
    variables = model.get_variables()
    leaves, treedef = jax.tree_util.tree_flatten_with_path(variables)
    return [(jax.tree_util.keystr(p), tuple(np.shape(v)), str(np.result_type(v)))
            for p, v in leaves], treedef


def check_same_architecture(models):
    """Every built member has the variables of member 0 (names, shapes, dtypes)."""
    built = [(i, m) for i, m in enumerate(models) if m.built]
    if len(built) < 2:
        return
    ref, ref_tree = _shapes(built[0][1])
    for i, m in built[1:]:
        got, tree = _shapes(m)
        if got != ref or tree != ref_tree:
            diff = next((f"{a} vs {b}" for a, b in zip(ref, got) if a != b),
                        f"{len(ref)} vs {len(got)} weights")
            raise ValueError(
                "All ensemble members must have the same architecture (model_fn must build the "
                f"same model for every seed). Member 0 and member {i} differ: {diff}.")


def _same_setting(a, b):
    """Whether two compile arguments configure the same computation."""
    if a is b:
        return True
    if isinstance(a, (str, int, float, bool, type(None), np.number)):
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_same_setting(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict):  # ("name": optimizers are auto-named adam, adam_1, ...)
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_same_setting(a[k], b[k]) for k in a if k != "name"))
    if type(a) is not type(b):
        return False
    if isinstance(a, types.FunctionType):
        return a.__code__.co_code == b.__code__.co_code and a.__name__ == b.__name__
    if hasattr(a, "get_config"):
        try:
            return _same_setting(a.get_config(), b.get_config())
        except (TypeError, ValueError):
            return False
    return False


_COMPARED = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics")


def check_compiled(models):
    for i, m in enumerate(models):
        if not m.compiled:
            raise ValueError(
                f"Ensemble member {i} is not compiled. Either compile the model inside "
                "`model_fn`, or call `ensemble.compile(optimizer=..., loss=...)` before "
                "`fit()` / `evaluate()`.")


def check_same_compile(models):
    """The same optimizer / loss / metrics settings and frozen layers for all (built) members:
    the ensemble runs member 0's step functions for every member."""
    ref = models[0].get_compile_config()
    for i, m in enumerate(models[1:], start=1):
        cfg = m.get_compile_config()
        for key in _COMPARED:
            if not _same_setting(ref[key], cfg[key]):
                raise ValueError(
                    f"All ensemble members must be compiled the same way; member 0 and member "
                    f"{i} differ in `{key}`: {ref[key]!r} vs {cfg[key]!r}.")
    frozen = models[0].engine.frozen_paths()
    for i, m in enumerate(models[1:], start=1):
        if m.engine.frozen_paths() != frozen:
            raise ValueError(f"Ensemble members 0 and {i} have different non-trainable layers "
                             "(`layer.trainable = False` must be the same for every member).")

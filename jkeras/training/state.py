"""`TrainState`: everything a training step reads and writes, as one pytree.

A compiled chunk takes a `TrainState` and returns the next one (the input is donated), so the
host holds no other copy of the weights during `fit`. `EvalState` is the smaller state of
`evaluate` / validation: the weights are read, only the metric accumulators change.
"""
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class TrainState(NamedTuple):
    params: Any  # trainable weights, nested by layer name
    state: Any  # non-trainable weights (BatchNorm moving statistics, ...)
    opt_state: Any  # the optimizer's pytree (iterations, learning rate, slots)
    rng: Any  # PRNG key: split once per step (dropout) and once per epoch (shuffling)
    step: Any  # int32: steps run by this state (counts skipped non-finite steps too)
    metrics: Any  # tuple of metric accumulators (loss tracker first), see compile_utils
    bad_step: Any  # int32: -1, or the `step` at which the first non-finite loss was seen

    def variables(self):
        return {"params": self.params, "state": self.state}


class EvalState(NamedTuple):
    params: Any
    state: Any
    metrics: Any


def int32(v):
    return jnp.asarray(np.int32(v))


def new_train_state(variables, opt_state, rng, metrics):
    return TrainState(
        params=variables.get("params", {}),
        state=variables.get("state", {}),
        opt_state=opt_state,
        rng=rng,
        step=int32(0),
        metrics=metrics,
        bad_step=int32(-1),
    )


def seed_key():
    """A fresh PRNG key from jkeras's session key stream (`jkeras.utils.set_random_seed` makes
    dropout and shuffling reproducible, as in Keras)."""
    from jkeras.core import random as core_random

    return core_random.next_key()


@jax.jit
def copy_tree(tree):
    """A fresh copy of every leaf (so donation never deletes arrays someone else holds)."""
    return jax.tree_util.tree_map(jnp.copy, tree)


def split_frozen(params, frozen, prefix=()):
    """(trainable part, frozen part) of a nested params dict."""
    if not frozen:
        return params, {}
    train, rest = {}, {}
    for k, v in params.items():
        path = prefix + (k,)
        if isinstance(v, dict):
            t, r = split_frozen(v, frozen, path)
            if t:
                train[k] = t
            if r:
                rest[k] = r
        else:
            (rest if path in frozen else train)[k] = v
    return train, rest


def merge_frozen(train, rest):
    if not rest:
        return train
    out = dict(train)
    for k, v in rest.items():
        out[k] = merge_frozen(out.get(k, {}), v) if isinstance(v, dict) else v
    return out

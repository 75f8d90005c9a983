"""Checks that every process of a multi-process run agrees before a compiled program starts.

Each process runs the same SPMD program; if one process built another model or has fewer
batches, the collectives of the two programs do not pair up and the run hangs or computes
garbage. So before fit / evaluate / predict start, each process sends a fingerprint of what it
is about to run (its model's config and variable shapes, steps, batch shapes) to every other
(`multihost_utils.process_allgather`, one small collective), and all of them raise the same
ValueError, naming what differs, when the fingerprints do not agree.
"""
import hashlib
import json

import jax
import numpy as np
from jax.experimental import multihost_utils

_UNKNOWN = -1


def _words(value):
    """Three int32 words: a 64-bit hash of `value` and the value itself when it is a small
    int (shown in the error), else -1."""
    digest = hashlib.sha256(repr(value).encode()).digest()[:8]
    shown = value if isinstance(value, int) and 0 <= value < 2 ** 31 else _UNKNOWN
    return list(np.frombuffer(digest, np.int32)) + [shown]


def _config_text(model):
    try:
        return json.dumps(model.get_config(), sort_keys=True, default=repr)
    except Exception:  # a model without a config: its class and variables still say enough
        return type(model).__name__


def model_facts(model):
    """What must agree about a model: its config, its variables' paths, shapes and dtypes."""
    variables = [(v.path, tuple(v.shape), str(v.dtype)) for v in model.weights]
    digest = hashlib.sha256(_config_text(model).encode()).hexdigest()[:16]
    return {"the model's config (`model.get_config()`)": f"sha256 {digest}...",
            "the model's variables (paths, shapes and dtypes)": variables}


def batch_facts(steps, batch):
    """What must agree about the data: steps (None: unknown) and the first batch's shapes."""
    shapes = [tuple(np.shape(a)) for a in jax.tree_util.tree_leaves(batch)]
    return {"the number of steps (batches)": steps if steps is not None else "unknown",
            "the batch shapes": shapes}


def check_agreement(facts, what):
    """Raise the same ValueError in every process unless all processes give equal `facts`
    (a dict from a description to a value). One process: nothing to check."""
    processes = jax.process_count()
    if processes == 1:
        return
    names = list(facts)
    local = np.asarray([w for name in names for w in _words(facts[name])], np.int32)
    table = np.asarray(multihost_utils.process_allgather(local)).reshape(
        processes, len(names), 3)
    differ, shown = [], []
    for i, name in enumerate(names):
        column = table[:, i]
        if (column != column[0]).any():
            if (column[:, 2] != _UNKNOWN).all():
                values = ", ".join(f"process {p}: {int(v)}" for p, v in enumerate(column[:, 2]))
            else:
                groups = {}
                for p, row in enumerate(column):
                    groups.setdefault(tuple(row[:2]), []).append(p)
                values = " vs ".join(f"processes {ps}" for ps in groups.values())
            differ.append(name)
            shown.append(f"{name} ({values})")
    if differ:
        me = jax.process_index()
        raise ValueError(
            f"The {processes} processes disagree before {what} starts: " + "; ".join(shown)
            + f". Every process must run the same program: build the same model (the same "
            "layers, names and shapes; create it in every process in the same order) and pass "
            "the same number of batches of the same size (with `auto_shard_dataset=False`, "
            "each process its own equal part of every global batch). This process "
            f"({me}) has: " + "; ".join(f"{n}: {_short(facts[n])}" for n in differ))


def _short(value):
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."

"""The current distribution (`set_distribution` / `distribution()`), and the few calls the
training loop makes through it. With no distribution set each call is the plain single-device
operation it replaces (`jax.device_put`, the step functions unchanged)."""
import jax
import numpy as np
from jax.experimental import multihost_utils

from jkeras.distribution import agreement
from jkeras.distribution.data_parallel import Distribution

_CURRENT = None


def distribution():
    """The current `Distribution`, or None (one device)."""
    return _CURRENT


def set_distribution(value):
    """Make `value` (a `Distribution`, e.g. `DataParallel()`) the global distribution used by
    fit / evaluate / predict; `None` returns to a single device."""
    global _CURRENT
    if value is not None and not isinstance(value, Distribution):
        raise TypeError("`set_distribution` expects a `jkeras.distribution.Distribution` "
                        "(e.g. `DataParallel()`) or None. Received: "
                        f"{value!r} of type {type(value).__name__}")
    _CURRENT = value


def cache_key():
    """Part of every compiled-program cache key: programs never cross distributions."""
    return None if _CURRENT is None else _CURRENT.cache_key()


def put_dataset(tree):
    """A whole dataset, sliced into batches inside the compiled loop."""
    if _CURRENT is None:
        return jax.device_put(tree)
    return _CURRENT.put_dataset(tree)


def put_batch(tree, stacked=False):
    """One host batch (or a stack of K batches with `stacked`)."""
    if _CURRENT is None:
        return jax.device_put(tree)
    return _CURRENT.put_batch(tree, stacked)


def put_state(tree):
    """Weights / training state for a compiled call: laid out by the distribution; with none,
    weights left spread over several devices by an earlier distributed fit come back to the
    default device (a single leaf is looked at)."""
    if _CURRENT is not None:
        return _CURRENT.put_state(tree)
    first = next(iter(jax.tree_util.tree_leaves(tree)), None)
    sharding = getattr(first, "sharding", None)
    if sharding is not None and len(sharding.device_set) > 1:
        return jax.device_put(tree, jax.devices()[0])
    return tree


def wrap_steps(train_step, test_step, predict_step):
    if _CURRENT is None:
        return train_step, test_step, predict_step
    return _CURRENT.wrap_steps(train_step, test_step, predict_step)


def constrain_outputs(program):
    """A compiled program whose results keep the distribution's layout (XLA may otherwise pick
    other shardings for the results of its loops)."""
    if _CURRENT is None:
        return program
    dist = _CURRENT
    return lambda *args: dist.constrain_state(program(*args))


def check_processes(model, what, steps, batch, epochs=None, validation_steps=None):
    """Before fit / evaluate / predict under a distribution with several processes: a
    ValueError in every process unless all run the same model on the same number of batches of
    the same shapes (see agreement.py). One process, or no distribution: nothing to do."""
    if _CURRENT is None or jax.process_count() == 1:
        return
    facts = {**agreement.model_facts(model), **agreement.batch_facts(steps, batch)}
    if epochs is not None:
        facts["the number of epochs"] = epochs
    if validation_steps is not None:
        facts["the number of validation steps"] = validation_steps
    agreement.check_agreement(facts, what)


def agreed_seconds(seconds):
    """A measured step time, the same in every process: the training loop chooses its
    compiled programs (one step per call or a loop of K) from such timings, and processes that
    chose differently would run unpaired collectives. Several processes under a distribution
    use process 0's measurement; otherwise `seconds` is returned as is."""
    if _CURRENT is None or jax.process_count() == 1:
        return seconds
    return float(multihost_utils.broadcast_one_to_all(np.float32(seconds)))

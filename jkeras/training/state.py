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


class ModelStore:
    """Per-model training cache and the live-state bookkeeping of `fit` (a plain object, so the
    layer tracking never walks into it).

    During fit the weights live in the TrainState `live` (donated call to call). `sync` hands
    the model copies (callbacks reading `self.model`); `before_call` notices when a callback
    replaced them since, and takes them back; `finish` returns the final state to the model."""

    def __init__(self):
        self.compile_id, self.config, self.opt = 0, None, None
        self.outputs, self.programs, self.decisions = {}, {}, {}
        self.loop_risky = {}  # input signature -> forward pass has convolutions / pooling
        self.forward = {}  # (input signature, variables signature) -> y_pred shapes
        self.opt_state = None  # the optimizer state between fits (never donated)
        self.live, self.synced, self.given, self.synced_lr = None, True, None, None
        self.last_outputs = None
        self.last_compiled, self.loss_tracker, self.compile_metrics = None, None, {}  # seams
        self.frozen = self.frozen_at_init = None  # paths of trainable=False layers' params
        self.extras = ()  # other optimizers a custom train_step updates (their states ride along)
        self.loaded_opt_state = None  # optimizer variables loaded while fit runs (callbacks)

    def new_state(self, model, outputs, frozen=frozenset(), extras=()):
        """The TrainState a fit starts from. With `extras` (a custom train_step's other
        optimizers) the state's `opt_state` is `(model.optimizer's, (each extra's, ...))`."""
        variables = model.get_variables()
        if self.opt_state is None:  # built on the trainable weights only, as Keras
            self.opt_state = model.optimizer.init(split_frozen(variables["params"], frozen)[0])
            self.frozen_at_init = frozen
        self.extras = tuple(extras)
        opt_state = self.opt_state
        if self.extras:
            opt_state = (opt_state, tuple(o.sync_state(o._imp_state) for o in self.extras))
        variables, opt_state = copy_tree((variables, opt_state))
        self.synced_lr = None
        ts = new_train_state(variables, opt_state, seed_key(), outputs.init_metrics())
        return self.sync_lr(model.optimizer, ts)

    def main_opt_state(self, opt_state):
        return opt_state[0] if self.extras else opt_state

    def _with_main(self, opt_state, main):
        return (main, opt_state[1]) if self.extras else main

    def sync_lr(self, opt, ts):
        """A learning rate set on the optimizer object (callbacks) goes into opt_state."""
        lr = getattr(opt, "_learning_rate", None)
        if hasattr(opt, "sync_state") and (self.synced_lr is None or lr != self.synced_lr):
            main = opt.sync_state(self.main_opt_state(ts.opt_state))
            ts = ts._replace(opt_state=self._with_main(ts.opt_state, main))
            self.synced_lr = lr
        return ts

    def _publish_extras(self, opt_state):
        for opt, state in zip(self.extras, opt_state[1] if self.extras else ()):
            opt._imp_state = opt._last_state = state

    def replaced_variables(self, model):
        """A copy of the model's variables when a callback assigned them since `sync`, else None."""
        if self.synced and self.given is not None:
            current = jax.tree_util.tree_leaves(model.get_variables())
            if len(current) != len(self.given) or any(
                    a is not b for a, b in zip(current, self.given)):
                return copy_tree(model.get_variables())
        return None

    def before_call(self, model, ts):
        v = self.replaced_variables(model)
        if v is not None:
            ts = ts._replace(params=v["params"], state=v.get("state", {}))
        if self.synced:
            self.given = None
        if self.loaded_opt_state is not None:
            ts = ts._replace(opt_state=self._with_main(ts.opt_state, self.loaded_opt_state))
            self.loaded_opt_state = None
        return self.sync_lr(model.optimizer, ts)

    def set_live(self, ts):
        self.live, self.synced = ts, False

    def sync(self, model):
        if self.live is None or self.synced:
            return
        variables, opt_state = copy_tree((self.live.variables(), self.live.opt_state))
        model.set_variables(variables)
        model.optimizer._last_state = self.main_opt_state(opt_state)
        self._publish_extras(opt_state)
        self.given = jax.tree_util.tree_leaves(model.get_variables())
        self.synced = True

    def finish(self, model, ts):
        synced = self.synced and self.live is not None
        self.live, self.given, self.synced = None, None, True
        if ts is None or any(getattr(a, "is_deleted", lambda: False)()
                             for a in jax.tree_util.tree_leaves(ts)):
            return  # interrupted inside a donated call: the model keeps its pre-fit weights
        main = self.main_opt_state(ts.opt_state)
        finalize = getattr(model.optimizer, "finalize_params", None)
        if getattr(model.optimizer, "use_ema", False) and finalize is not None:
            # Keras's finalize_variable_values: the trainable weights become their averages
            from_opt, rest = split_frozen(ts.params, self.frozen_at_init or frozenset())
            variables = {"params": merge_frozen(finalize(from_opt, main), rest),
                         "state": ts.state}
            model.set_variables(variables)
        elif not synced:  # else the model already holds them (or a callback's edit of them)
            model.set_variables(ts.variables())
        self.opt_state = main
        model.optimizer._last_state = main
        self._publish_extras(ts.opt_state)
        self.extras = ()

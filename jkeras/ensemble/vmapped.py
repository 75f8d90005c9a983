"""The ensemble's compiled programs: one member's pure program, `jax.vmap`ped over members.

Each program below is what a solo model runs (training/step.py's `train_step` / `test_step` /
`predict_step`, built by the same `make_*_step` functions the Trainer uses, and the same batch
slicing, shuffling and per-epoch metric reset as the Trainer's fused epochs), written for ONE
member; `jax.vmap` adds the member axis to the state (`in_axes=0`) while the data is shared
(`in_axes=None`). So member i computes what fit / evaluate / predict compute for it alone, and
N members run as one compiled program: every matmul becomes one batched matmul.

Step counts, epoch counts and which epochs validate are traced values: one compile serves every
later call with the same data shapes (TRACE_COUNTS in training/step.py shows it).
"""
import functools

import jax
import jax.numpy as jnp

from jkeras.training.state import TrainState
from jkeras.training.step import (Programs, make_predict_step, make_test_step,
                                  make_train_step)

MAX_EPOCHS = 256  # epochs per call: the static size of the per-epoch logs buffer


class EnsemblePrograms:
    """The jitted, vmapped programs of one compile: member 0 provides the pure functions
    (all members are checked to share architecture and compile settings); the program bodies
    are the Trainer's own (training/step.py `Programs`)."""

    def __init__(self, model, outputs, val_outputs=None):
        self.outputs, self.val_outputs = outputs, val_outputs or outputs
        train = test = val = None
        if outputs is not None:  # (None: prediction only, the model need not be compiled)
            train = make_train_step(model, outputs, model.optimizer, False, model.engine.frozen_paths())
            test = make_test_step(model, outputs)
            val = make_test_step(model, self.val_outputs)
        predict = make_predict_step(model)
        self.programs = Programs(train, test, predict, outputs)
        self.val_step = val
        self._cache = {}

    def _get(self, key, build):
        fn = self._cache.get(key)
        if fn is None:
            fn = self._cache[key] = build()
        return fn

    # ---- state
    def new_state(self, variables, opt_state, base_keys, counts):
        """The stacked TrainState of a fit in ONE compiled call: for each member what its solo
        fit's `new_state` builds (copies of its weights and optimizer state, fresh metrics, and
        the key `seed_key()` draws, `fold_in(PRNGKey(seed), count)`, from its own stream)."""
        def build(variables, opt_state, base_keys, counts):
            v, opt = jax.tree_util.tree_map(jnp.copy, (variables, opt_state))  # ts is donated
            metrics = jax.vmap(lambda _: self.outputs.init_metrics())(counts)
            n = counts.shape[0]
            return TrainState(params=v["params"], state=v["state"], opt_state=opt,
                              rng=jax.vmap(jax.random.fold_in)(base_keys, counts),
                              step=jnp.zeros((n,), jnp.int32), metrics=metrics,
                              bad_step=jnp.full((n,), -1, jnp.int32))
        fn = self._get(("new_state",), lambda: jax.jit(build))
        return fn(variables, opt_state, base_keys, counts)

    # ---- training
    def train(self, num_samples, batch_size, shuffle, val_layout=None):
        """f(ts, data, n, val_data, eval_mask) -> (ts, logs (members, MAX_EPOCHS, n_logs)):
        `n` (traced) whole epochs; epochs with `eval_mask[e]` set also evaluate `val_data`.
        Each member runs the solo fused-epoch body (`Programs.epochs_body`)."""
        body = self.programs.epochs_body(num_samples, batch_size, shuffle, MAX_EPOCHS,
                                         val_layout,
                                         (self.val_step, self.val_outputs))

        def member_epochs(ts, data, n, val_data, eval_mask):
            ts, buf, _ = body(ts, data, n, val_data, eval_mask)
            return ts, buf

        return self._get(("train", num_samples, batch_size, bool(shuffle), val_layout),
                         lambda: jax.jit(jax.vmap(member_epochs, in_axes=(0, None, None, None,
                                                                           None)),
                                         donate_argnums=0))

    # ---- evaluation
    def evaluate(self, num_samples, batch_size):
        """f(variables, data) -> per-member logs (members, n_logs), in result_names() order."""
        body = self.programs.evaluate_body(num_samples, batch_size)

        def member_evaluate(variables, data):
            return jnp.stack([jnp.asarray(r, jnp.float32) for r in body(variables, data)])
        return self._get(("evaluate", num_samples, batch_size),
                         lambda: jax.jit(jax.vmap(member_evaluate, in_axes=(0, None))))

    # ---- prediction
    def predict(self, num_samples, batch_size):
        """f(variables, x) -> y_pred with a leading member axis: (members, num_samples, ...)."""
        body = self.programs.predict_body(num_samples, batch_size)
        return self._get(("predict", num_samples, batch_size),
                         lambda: jax.jit(jax.vmap(body, in_axes=(0, None))))


@jax.jit
def stack(trees):
    """Member pytrees -> one pytree with a leading member axis."""
    return jax.tree_util.tree_map(lambda *a: jnp.stack(a), *trees)


@functools.partial(jax.jit, static_argnums=1)
def unstack(tree, n):
    """The inverse of `stack`: a list of n member pytrees (one compiled call, not one
    dispatch per leaf and member)."""
    return [jax.tree_util.tree_map(lambda a, i=i: a[i], tree) for i in range(n)]

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
from jax import lax

from jkeras.training.state import EvalState, TrainState
from jkeras.training.step import (Programs, make_predict_step, make_test_step,
                                  make_train_step, take_batch, take_tail)

MAX_EPOCHS = 256  # epochs per call: the static size of the per-epoch logs buffer


def _layout(num_samples, batch_size):
    num_full, partial = divmod(num_samples, batch_size)
    return num_full, partial, batch_size


def _pass(state, data, perm, layout, step_fn):
    """One pass over the data, exactly as a solo fit's (the Trainer's own loop body)."""
    return Programs._pass(state, data, perm, *layout, step_fn)


def _stacked(results):
    return jnp.stack([jnp.asarray(r, jnp.float32) for r in results])


class EnsemblePrograms:
    """The jitted, vmapped programs of one compile: member 0 provides the pure functions
    (all members are checked to share architecture and compile settings)."""

    def __init__(self, model, outputs, val_outputs=None):
        self.outputs, self.val_outputs = outputs, val_outputs or outputs
        if outputs is not None:  # (None: prediction only, the model need not be compiled)
            self.train_step = make_train_step(model, outputs, model.optimizer, False,
                                              model._jk_frozen())
            self.test_step = make_test_step(model, outputs)
            self.val_step = make_test_step(model, self.val_outputs)
        self.predict_step = make_predict_step(model)
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
        `n` (traced) whole epochs; epochs with `eval_mask[e]` set also evaluate `val_data`."""
        layout = _layout(num_samples, batch_size)
        n_train = len(self.outputs.result_names())
        n_logs = n_train + (len(self.val_outputs.result_names()) if val_layout else 0)

        def member_epochs(ts, data, n, val_data, eval_mask):
            def epoch(e, carry):
                t, buf = carry
                t = t._replace(metrics=self.outputs.init_metrics())
                perm = None
                if shuffle:  # the draw fit makes at every epoch start
                    rng, key = jax.random.split(t.rng)
                    perm = jax.random.permutation(key, num_samples)
                    t = t._replace(rng=rng)
                t = _pass(t, data, perm, layout, self.train_step)
                row = _stacked(self.outputs.results(t.metrics))
                if val_layout:
                    def validate(t):
                        es = EvalState(t.params, t.state, self.val_outputs.init_metrics())
                        es = _pass(es, val_data, None, _layout(*val_layout), self.val_step)
                        return _stacked(self.val_outputs.results(es.metrics))
                    skipped = jnp.zeros((n_logs - n_train,), jnp.float32)
                    row = jnp.concatenate([row, lax.cond(eval_mask[e], validate,
                                                         lambda t: skipped, t)])
                return t, lax.dynamic_update_slice_in_dim(buf, row[None], e, 0)

            buf = jnp.zeros((MAX_EPOCHS, n_logs), jnp.float32)
            return lax.fori_loop(0, n, epoch, (ts, buf))

        return self._get(("train", num_samples, batch_size, bool(shuffle), val_layout),
                         lambda: jax.jit(jax.vmap(member_epochs, in_axes=(0, None, None, None,
                                                                           None)),
                                         donate_argnums=0))

    # ---- evaluation
    def evaluate(self, num_samples, batch_size):
        """f(variables, data) -> per-member logs (members, n_logs), in result_names() order."""
        layout = _layout(num_samples, batch_size)

        def member_evaluate(variables, data):
            es = EvalState(variables["params"], variables["state"], self.outputs.init_metrics())
            es = _pass(es, data, None, layout, self.test_step)
            return _stacked(self.outputs.results(es.metrics))

        return self._get(("evaluate", num_samples, batch_size),
                         lambda: jax.jit(jax.vmap(member_evaluate, in_axes=(0, None))))

    # ---- prediction
    def predict(self, num_samples, batch_size):
        """f(variables, x) -> y_pred with a leading member axis: (members, num_samples, ...)."""
        num_full, partial, bs = _layout(num_samples, batch_size)
        step = self.predict_step

        def member_predict(variables, x):
            parts = []
            if num_full:
                blocks = lax.map(lambda i: step(variables, take_batch(x, None, i, bs)),
                                 jnp.arange(num_full))
                parts.append(jax.tree_util.tree_map(
                    lambda a: a.reshape((num_full * bs,) + a.shape[2:]), blocks))
            if partial:
                parts.append(step(variables, take_tail(x, None, num_full * bs, partial)))
            if len(parts) == 1:
                return parts[0]
            return jax.tree_util.tree_map(lambda *a: jnp.concatenate(a), *parts)

        return self._get(("predict", num_samples, batch_size),
                         lambda: jax.jit(jax.vmap(member_predict, in_axes=(0, None))))


@jax.jit
def stack(trees):
    """Member pytrees -> one pytree with a leading member axis."""
    return jax.tree_util.tree_map(lambda *a: jnp.stack(a), *trees)


@functools.partial(jax.jit, static_argnums=1)
def unstack(tree, n):
    """The inverse of `stack`: a list of n member pytrees (one compiled call, not one
    dispatch per leaf and member)."""
    return [jax.tree_util.tree_map(lambda a, i=i: a[i], tree) for i in range(n)]

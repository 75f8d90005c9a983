"""Pure train / test / predict steps, and the compiled programs built from them.

`train_step(ts, batch) -> ts` is one optimizer step on one batch; every program below is a loop
of it over device-resident data (`data` = (x, y, sample_weight) of the whole set, never copied
per epoch). Batch `i` is a dynamic slice of the data, or a gather through the epoch's permutation
`perm`. Step counts and start indices are traced values, so one compiled program serves every
chunk size, every epoch and every later `fit` with the same shapes.

TRACE_COUNTS counts how often each Python step body is traced (tests check that nothing is
retraced from one epoch or fit call to the next).
"""
import collections

import jax
import jax.numpy as jnp
from jax import lax

from jkeras.core import layer_losses, weight_options
from jkeras.training import compile_watch
from jkeras.training.state import EvalState, TrainState, merge_frozen, split_frozen

TRACE_COUNTS = collections.Counter()


# ---------------------------------------------------------------------------- the steps
def frozen_paths(model):
    """Paths (inside "params") of weights the optimizer must not touch: those of layers set
    `trainable = False` (Keras excludes them from `trainable_weights`)."""
    paths_of = getattr(model, "_variable_paths", None)
    if paths_of is None:
        return frozenset()
    paths = paths_of()
    trainable = {paths[id(v)][1:] for v in model.trainable_weights if id(v) in paths}
    every = {p[1:] for p in paths.values() if p[0] == "params"}
    return frozenset(every - trainable)


def make_train_step(model, outputs, optimizer, nan_guard=False, frozen=frozenset()):
    apply = model.apply
    scale_loss = getattr(optimizer, "scale_loss", lambda loss: loss)

    def train_step(ts, batch):
        TRACE_COUNTS["train_step"] += 1
        x, y, sw = batch
        rng, step_rng = jax.random.split(ts.rng)

        trainable, rest = split_frozen(ts.params, frozen)

        def loss_fn(params):
            params = merge_frozen(params, rest)
            with layer_losses.collecting() as bag:
                y_pred, new_state = apply({"params": params, "state": ts.state},
                                          x, training=True, rng=step_rng)
            total, values = outputs.loss_values(y, y_pred, sw)
            total = layer_losses.total_loss(total, model.pure_losses(bag, params))
            # Keras: gradients of the scaled loss (`loss_scale_factor`), logs of the unscaled
            return scale_loss(total), (total, y_pred, new_state, values)

        (_, (total, y_pred, new_state, values)), grads = jax.value_and_grad(
            loss_fn, has_aux=True)(trainable)
        updates, opt_state = optimizer.update(grads, ts.opt_state, trainable)
        params = merge_frozen(jax.tree_util.tree_map(
            lambda p, u: jnp.asarray(p + u).astype(p.dtype), trainable, updates), rest)
        params = weight_options.constrain(model, params)  # as Keras, after the update
        metrics = outputs.update_metrics(ts.metrics, total, values, y, y_pred, sw,
                                         batch_size_of(x))
        bad_step = ts.bad_step
        if nan_guard:
            # Skip the update of a non-finite loss and of every step after it; the loss tracker
            # still sees the bad loss (so the logs show it, as in Keras); later steps see nothing.
            active = ts.bad_step < 0
            commit = active & jnp.isfinite(total)
            params, new_state, opt_state = _select(commit, (params, new_state, opt_state),
                                                   (ts.params, ts.state, ts.opt_state))
            metrics = _select(active, metrics, ts.metrics)
            bad_step = jnp.where(active & ~jnp.isfinite(total), ts.step, ts.bad_step)
        return TrainState(params, new_state, opt_state, rng, ts.step + 1, metrics, bad_step)

    return train_step


def make_test_step(model, outputs):
    apply = model.apply

    def test_step(es, batch):
        TRACE_COUNTS["test_step"] += 1
        x, y, sw = batch
        with layer_losses.collecting() as bag:
            y_pred, _ = apply({"params": es.params, "state": es.state}, x, training=False)
        total, values = outputs.loss_values(y, y_pred, sw)
        total = layer_losses.total_loss(total, model.pure_losses(bag, es.params))
        metrics = outputs.update_metrics(es.metrics, total, values, y, y_pred, sw,
                                         batch_size_of(x))
        return es._replace(metrics=metrics)

    return test_step


def make_predict_step(model):
    apply = model.apply

    def predict_step(variables, x):
        TRACE_COUNTS["predict_step"] += 1
        y_pred, _ = apply(variables, x, training=False)
        return y_pred

    return predict_step


def _select(pred, new, old):
    return jax.tree_util.tree_map(lambda a, b: jnp.where(pred, a, b), new, old)


def batch_size_of(x):
    return jax.tree_util.tree_leaves(x)[0].shape[0]


# ---------------------------------------------------------------------------- batch access
def take_batch(data, perm, index, batch_size):
    """Full batch `index` of the device-resident data (through `perm` when shuffling)."""
    start = index * batch_size
    if perm is None:
        return jax.tree_util.tree_map(
            lambda a: lax.dynamic_slice_in_dim(a, start, batch_size, 0), data)
    idx = lax.dynamic_slice_in_dim(perm, start, batch_size, 0)
    return jax.tree_util.tree_map(lambda a: jnp.take(a, idx, axis=0, mode="clip"), data)


def take_tail(data, perm, start, size):
    """The last, partial batch: rows [start, start + size) (static)."""
    if perm is None:
        return jax.tree_util.tree_map(lambda a: a[start:start + size], data)
    idx = perm[start:start + size]
    return jax.tree_util.tree_map(lambda a: jnp.take(a, idx, axis=0, mode="clip"), data)


def maybe_reset(metrics, reset, init_metrics):
    """Metric accumulators zeroed inside the program when `reset` (start of an epoch)."""
    return _select(reset, init_metrics(), metrics)


# ---------------------------------------------------------------------------- programs
class Programs:
    """The compiled (or, with `eager=True`, plain Python) programs of one compile() config.

    Training programs return (ts, logs) where logs are the running metric results (a tuple).
    """

    def __init__(self, train_step, test_step, predict_step, outputs, eager=False):
        self.train_step, self.test_step, self.predict_step = train_step, test_step, predict_step
        self.outputs = outputs
        self.eager = eager
        self._cache = {}

    def _get(self, key, build, donate=()):
        fn = self._cache.get(key)
        if fn is None:
            fn = build()
            if not self.eager:
                fn = compile_watch.watched(jax.jit(fn, donate_argnums=donate))
            self._cache[key] = fn
        return fn

    def _logs(self, metrics):
        return self.outputs.results(metrics)

    # ---- training on resident data
    def train_one(self, batch_size):
        def one(ts, data, perm, index, reset):
            ts = ts._replace(metrics=maybe_reset(ts.metrics, reset, self.outputs.init_metrics))
            ts = self.train_step(ts, take_batch(data, perm, index, batch_size))
            return ts, self._logs(ts.metrics)
        return self._get(("train_one", batch_size), lambda: one, donate=(0,))

    def train_many(self, batch_size):
        if self.eager:
            one = self.train_one(batch_size)

            def many_eager(ts, data, perm, start, n, reset):
                logs = None
                for i in range(int(n)):
                    ts, logs = one(ts, data, perm, start + i, reset and i == 0)
                return ts, logs
            return many_eager

        def many(ts, data, perm, start, n, reset):
            ts = ts._replace(metrics=maybe_reset(ts.metrics, reset, self.outputs.init_metrics))
            ts = lax.fori_loop(0, n, lambda i, t: self.train_step(
                t, take_batch(data, perm, start + i, batch_size)), ts)
            return ts, self._logs(ts.metrics)
        return self._get(("train_many", batch_size), lambda: many, donate=(0,))

    def train_tail(self, start, size):
        def tail(ts, data, perm, reset):
            ts = ts._replace(metrics=maybe_reset(ts.metrics, reset, self.outputs.init_metrics))
            ts = self.train_step(ts, take_tail(data, perm, start, size))
            return ts, self._logs(ts.metrics)
        return self._get(("train_tail", start, size), lambda: tail, donate=(0,))

    def train_epochs(self, num_samples, batch_size, shuffle, max_epochs, val_layout=None):
        """Whole epochs in one call: up to `max_epochs` (static) epochs, `n` (traced) of them
        run; returns the per-epoch logs as a (max_epochs, num_logs) array. With `val_layout` =
        (val samples, val batch size), epochs whose `eval_mask` entry is set also evaluate
        `val_data` (their val logs follow the train logs in the row)."""
        num_full, partial = divmod(num_samples, batch_size)
        n_logs = len(self.outputs.result_names()) * (2 if val_layout else 1)

        def epochs(ts, data, n, val_data=None, eval_mask=None):
            def cond(carry):
                e, t, _ = carry
                return (e < n) & (t.bad_step < 0)

            def body(carry):
                e, t, buf = carry
                t = t._replace(metrics=self.outputs.init_metrics())
                perm = None
                if shuffle:
                    rng, key = jax.random.split(t.rng)
                    perm = jax.random.permutation(key, num_samples)
                    t = t._replace(rng=rng)
                t = self._pass(t, data, perm, num_full, partial, batch_size, self.train_step)
                row = self._logs(t.metrics)
                if val_layout:
                    vfull, vpartial = divmod(val_layout[0], val_layout[1])

                    def evaluate(t):
                        es = EvalState(t.params, t.state, self.outputs.init_metrics())
                        es = self._pass(es, val_data, None, vfull, vpartial, val_layout[1],
                                        self.test_step)
                        return self._logs(es.metrics)
                    row = row + lax.cond(eval_mask[e], evaluate,
                                         lambda t: tuple(jnp.zeros_like(r) for r in row), t)
                row = jnp.stack(row)
                return e + 1, t, lax.dynamic_update_slice_in_dim(buf, row[None], e, 0)

            buf = jnp.zeros((max_epochs, n_logs), jnp.float32)
            e, ts, buf = lax.while_loop(cond, body, (jnp.asarray(0, jnp.int32), ts, buf))
            return ts, buf, e
        return self._get(("train_epochs", num_samples, batch_size, shuffle, max_epochs,
                          val_layout), lambda: epochs, donate=(0,))

    @staticmethod
    def _pass(state, data, perm, num_full, partial, batch_size, step_fn):
        """One pass over resident data: full batches in a loop, then the exact partial one."""
        if num_full:
            state = lax.fori_loop(0, num_full, lambda i, s: step_fn(
                s, take_batch(data, perm, i, batch_size)), state)
        if partial:
            state = step_fn(state, take_tail(data, perm, num_full * batch_size, partial))
        return state

    # ---- training on host batches (generators)
    def train_host_one(self):
        def one(ts, batch, reset):
            ts = ts._replace(metrics=maybe_reset(ts.metrics, reset, self.outputs.init_metrics))
            ts = self.train_step(ts, batch)
            return ts, self._logs(ts.metrics)
        return self._get(("train_host_one",), lambda: one, donate=(0,))

    def train_host_many(self):
        def many(ts, stacked, n, reset):
            ts = ts._replace(metrics=maybe_reset(ts.metrics, reset, self.outputs.init_metrics))
            ts = lax.fori_loop(0, n, lambda i, t: self.train_step(
                t, jax.tree_util.tree_map(lambda a: a[i], stacked)), ts)
            return ts, self._logs(ts.metrics)
        return self._get(("train_host_many",), lambda: many, donate=(0,))

    # ---- evaluation (validation inside fit, evaluate)
    def test_many(self, batch_size):
        if self.eager:
            def many_eager(es, data, start, n, reset):
                for i in range(int(n)):
                    es, logs = self.test_one(batch_size)(es, data, start + i, reset and i == 0)
                return es, self._logs(es.metrics)
            return many_eager

        def many(es, data, start, n, reset):
            es = es._replace(metrics=maybe_reset(es.metrics, reset, self.outputs.init_metrics))
            es = lax.fori_loop(0, n, lambda i, e: self.test_step(
                e, take_batch(data, None, start + i, batch_size)), es)
            return es, self._logs(es.metrics)
        return self._get(("test_many", batch_size), lambda: many)

    def test_one(self, batch_size):
        def one(es, data, index, reset):
            es = es._replace(metrics=maybe_reset(es.metrics, reset, self.outputs.init_metrics))
            es = self.test_step(es, take_batch(data, None, index, batch_size))
            return es, self._logs(es.metrics)
        return self._get(("test_one", batch_size), lambda: one)

    def test_tail(self, start, size):
        def tail(es, data, reset):
            es = es._replace(metrics=maybe_reset(es.metrics, reset, self.outputs.init_metrics))
            es = self.test_step(es, take_tail(data, None, start, size))
            return es, self._logs(es.metrics)
        return self._get(("test_tail", start, size), lambda: tail)

    def test_host(self):
        def one(es, batch, reset):
            es = es._replace(metrics=maybe_reset(es.metrics, reset, self.outputs.init_metrics))
            es = self.test_step(es, batch)
            return es, self._logs(es.metrics)
        return self._get(("test_host",), lambda: one)

    # ---- prediction
    def predict_many(self, batch_size, k):
        """Batches [start, start + k) (k static) stacked as (k, batch, ...)."""
        def many(variables, x, start):
            if self.eager:
                outs = [self.predict_step(variables, take_batch(x, None, start + i, batch_size))
                        for i in range(k)]
                return jax.tree_util.tree_map(lambda *o: jnp.stack(o), *outs)
            return lax.map(lambda i: self.predict_step(
                variables, take_batch(x, None, start + i, batch_size)), jnp.arange(k))
        return self._get(("predict_many", batch_size, k), lambda: many)

    def predict_tail(self, start, size):
        def tail(variables, x):
            return self.predict_step(variables, take_tail(x, None, start, size))
        return self._get(("predict_tail", start, size), lambda: tail)

    def predict_host(self):
        return self._get(("predict_host",), lambda: self.predict_step)


def new_eval_state(ts_or_vars, init_metrics):
    if isinstance(ts_or_vars, TrainState):
        return EvalState(ts_or_vars.params, ts_or_vars.state, init_metrics())
    return EvalState(ts_or_vars.get("params", {}), ts_or_vars.get("state", {}), init_metrics())

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
from jkeras.distribution import current as distribution_lib
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
    scale_loss = getattr(optimizer, "scale_loss_for_state", lambda loss, opt_state: loss)

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
            return scale_loss(total, ts.opt_state), (total, y_pred, new_state, values)

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


# Where a program finds batch `i` of its chunk (a hashable description, so programs cache):
#   ("resident", batch_size): full batch i of device-resident data; source = (data, perm)
#   ("tail", start, size): the last, partial batch of resident data; source = (data, perm)
#   ("stacked",): row i of K host batches stacked on a new leading axis; source = stacked
#   ("single",): the source is the batch itself
def taker(where):
    kind = where[0]
    if kind == "resident":
        return lambda src, i: take_batch(src[0], src[1], i, where[1])
    if kind == "tail":
        return lambda src, i: take_tail(src[0], src[1], where[1], where[2])
    if kind == "stacked":
        return lambda src, i: jax.tree_util.tree_map(lambda a: a[i], src)
    if kind == "single":
        return lambda src, i: src
    raise ValueError(f"Unknown batch source {where!r}.")


def full_pass(state, data, perm, num_samples, batch_size, step_fn):
    """One pass over resident data: full batches in a loop, then the exact partial one."""
    num_full, partial = divmod(num_samples, batch_size)
    if num_full:
        state = lax.fori_loop(0, num_full, lambda i, s: step_fn(
            s, take_batch(data, perm, i, batch_size)), state)
    if partial:
        state = step_fn(state, take_tail(data, perm, num_full * batch_size, partial))
    return state


# ---------------------------------------------------------------------------- programs
class Programs:
    """The compiled (or, with `eager=True`, plain Python) programs of one compile() config.

    Every training and evaluation program is `chunk(role, where, loop)`: reset the metric
    accumulators when asked, run the role's step on batches `start .. start + n` (one compiled
    loop, or one step), return the state and the running metric results (a tuple). The fused
    epochs, and the Ensemble's vmapped programs, are built from the same bodies."""

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
                fn = compile_watch.watched(jax.jit(distribution_lib.constrain_outputs(fn),
                                                   donate_argnums=donate))
            self._cache[key] = fn
        return fn

    def has(self, key):
        """Whether the program of `key` (as `_get` caches it) was built already."""
        return key in self._cache

    def _logs(self, metrics):
        return self.outputs.results(metrics)

    def chunk(self, role, where, loop):
        """-> f(state, source, start, n, reset) -> (state, logs). `role`: "train" (the state
        is donated) or "test"; `where`: see `taker`; `loop`: run n steps in one compiled loop
        (`n` traced), else one step (`n` ignored)."""
        step = self.train_step if role == "train" else self.test_step
        take = taker(where)

        def run(state, source, start, n, reset):
            state = state._replace(metrics=maybe_reset(state.metrics, reset,
                                                       self.outputs.init_metrics))
            if not loop:
                state = step(state, take(source, start))
            elif self.eager:
                for i in range(int(n)):
                    state = step(state, take(source, start + i))
            else:
                state = lax.fori_loop(0, n, lambda i, s: step(s, take(source, start + i)),
                                      state)
            return state, self._logs(state.metrics)
        return self._get((role, where, loop), lambda: run,
                         donate=(0,) if role == "train" else ())

    def epochs_body(self, num_samples, batch_size, shuffle, max_epochs, val_layout=None,
                    val=None):
        """Whole epochs, uncompiled (the Trainer jits it, the Ensemble vmaps it): f(ts, data,
        n, val_data=None, eval_mask=None) -> (ts, logs (max_epochs, num_logs), epochs run).
        Up to `max_epochs` (static) epochs, `n` (traced) of them run, stopping early at a
        non-finite loss under the NaN guard. With `val_layout` = (val samples, val batch size),
        epochs whose `eval_mask` entry is set also evaluate `val_data` with `val` = (test step,
        outputs), this compile's by default; their val logs follow the train logs in the row."""
        val_step, val_outputs = val or (self.test_step, self.outputs)
        n_logs = len(self.outputs.result_names()) + (
            len(val_outputs.result_names()) if val_layout else 0)

        def epochs(ts, data, n, val_data=None, eval_mask=None):
            def cond(carry):
                e, t, _ = carry
                return (e < n) & (t.bad_step < 0)

            def evaluate(t):
                es = EvalState(t.params, t.state, val_outputs.init_metrics())
                es = full_pass(es, val_data, None, *val_layout, val_step)
                return val_outputs.results(es.metrics)

            def skipped(t):
                return jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape, a.dtype),
                                              jax.eval_shape(evaluate, t))

            def body(carry):
                e, t, buf = carry
                t = t._replace(metrics=self.outputs.init_metrics())
                perm = None
                if shuffle:
                    rng, key = jax.random.split(t.rng)
                    perm = jax.random.permutation(key, num_samples)
                    t = t._replace(rng=rng)
                t = full_pass(t, data, perm, num_samples, batch_size, self.train_step)
                row = tuple(self._logs(t.metrics))
                if val_layout:
                    row = row + tuple(lax.cond(eval_mask[e], evaluate, skipped, t))
                row = jnp.stack([jnp.asarray(r, jnp.float32) for r in row])
                return e + 1, t, lax.dynamic_update_slice_in_dim(buf, row[None], e, 0)

            buf = jnp.zeros((max_epochs, n_logs), jnp.float32)
            e, ts, buf = lax.while_loop(cond, body, (jnp.asarray(0, jnp.int32), ts, buf))
            return ts, buf, e
        return epochs

    def train_epochs(self, num_samples, batch_size, shuffle, max_epochs, val_layout=None):
        """`epochs_body`, compiled (the fused multi-epoch fit)."""
        return self._get(("train_epochs", num_samples, batch_size, shuffle, max_epochs,
                          val_layout),
                         lambda: self.epochs_body(num_samples, batch_size, shuffle, max_epochs,
                                                  val_layout), donate=(0,))

    def evaluate_body(self, num_samples, batch_size):
        """A whole evaluation pass, uncompiled: f(variables, data) -> logs (a tuple)."""
        def evaluate(variables, data):
            es = EvalState(variables["params"], variables["state"], self.outputs.init_metrics())
            es = full_pass(es, data, None, num_samples, batch_size, self.test_step)
            return self._logs(es.metrics)
        return evaluate

    def predict_body(self, num_samples, batch_size):
        """Whole-set prediction, uncompiled: f(variables, x) -> y_pred for all rows."""
        def predict(variables, x):
            num_full = num_samples // batch_size
            parts = []
            if num_full:
                parts.append(self.predict_many(batch_size, num_full, compiled=False)(
                    variables, x, 0))
            if num_samples % batch_size:
                parts.append(self.predict_tail(num_full * batch_size,
                                               num_samples % batch_size, compiled=False)(
                                                   variables, x))
            return _join(parts)
        return predict

    # ---- prediction
    def predict_many(self, batch_size, k, compiled=True):
        """Batches [start, start + k) (k static), as rows: (k * batch, ...)."""
        def many(variables, x, start):
            if self.eager:
                outs = [self.predict_step(variables, take_batch(x, None, start + i, batch_size))
                        for i in range(k)]
                block = jax.tree_util.tree_map(lambda *o: jnp.stack(o), *outs)
            else:
                block = lax.map(lambda i: self.predict_step(
                    variables, take_batch(x, None, start + i, batch_size)), jnp.arange(k))
            return jax.tree_util.tree_map(lambda a: a.reshape((-1,) + a.shape[2:]), block)
        return self._get(("predict_many", batch_size, k), lambda: many) if compiled else many

    def predict_tail(self, start, size, compiled=True):
        def tail(variables, x):
            return self.predict_step(variables, take_tail(x, None, start, size))
        return self._get(("predict_tail", start, size), lambda: tail) if compiled else tail

    def predict_host(self):
        return self._get(("predict_host",), lambda: self.predict_step)


def _join(parts):
    if len(parts) == 1:
        return parts[0]
    return jax.tree_util.tree_map(lambda *a: jnp.concatenate(a), *parts)


def new_eval_state(ts_or_vars, init_metrics):
    if isinstance(ts_or_vars, TrainState):
        return EvalState(ts_or_vars.params, ts_or_vars.state, init_metrics())
    return EvalState(ts_or_vars.get("params", {}), ts_or_vars.get("state", {}), init_metrics())

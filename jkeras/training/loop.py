"""Epoch runners: chunking, `steps_per_execution="auto"`, fused epochs, host-batch pipelines.

A *chunk* is the steps between two host interactions: callbacks see one `on_train_batch_begin`
/ `on_train_batch_end` per chunk, as Keras with `steps_per_execution=K`. The chunk length comes
from the callbacks and the arguments alone (listening.py): 1 when a callback listens to
batches (Keras's default), about 1/20 of the epoch for the progress bar, the whole epoch when
nobody listens, K with an integer `steps_per_execution`. A chunk runs either as ONE compiled
loop over device-resident batches ("loop" mode) or as one compiled call per step ("single"
mode: on CPU, XLA runs convolutions inside a loop several times slower).

`steps_per_execution="auto"` measures the mode once per compile and batch shape, inside the
first chunk (so the measurement never changes where the hooks fall):
  t1 = one compiled step (dispatch included). If t1 < FAST the step is dispatch-bound: loop mode.
  Otherwise time a loop of 4 steps; loop mode only if it is faster per step than t1.

When every callback is passive (History, TerminateOnNaN, or none overriding a hook) and no
per-epoch host work is needed, whole epochs run inside one compiled while-loop (`run_fused`):
the per-epoch logs come back as one (epochs, logs) array and the callbacks are replayed from it,
so History is exact while a 1-step epoch costs microseconds.
"""
import time
import warnings

import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.training import compile_watch, listening
from jkeras.training.chunks import chunk_loop, named, resident_plan

FAST = 3e-4  # seconds per step below which dispatch dominates: always loop
SLOW = 2e-3  # without room to measure a loop, steps slower than this run one call each
FUSED_EPOCHS = 256  # epochs per fused call (static: one compile for every fit)


def _split(rng):
    rng, key = jax.random.split(rng)
    return rng, key


_draw_perm_key = compile_watch.watched(jax.jit(_split))
_perm = compile_watch.watched(jax.jit(jax.random.permutation, static_argnums=1))


def draw_permutation(ts, n):
    rng, key = _draw_perm_key(ts.rng)
    return ts._replace(rng=rng), _perm(key, n)


class Decision:
    """Loop-or-single and the measured seconds per step, cached per compile and shapes."""

    def __init__(self, mode, seconds):
        self.mode, self.seconds = mode, seconds


def tune(one, many, available, warm):
    """Measure (see module doc). `one(i)` / `many(i, n)` run steps from i and block; `warm`:
    `one` is already compiled. -> (Decision or None when there was no room, steps used)."""
    used = 0
    if not warm:
        one(0)  # compiles
        used = 1
    if available - used < 1:
        return None, used
    t = time.perf_counter()
    one(used)
    t1 = distribution_lib.agreed_seconds(time.perf_counter() - t)
    used += 1
    if t1 < FAST or available - used < 8:
        return Decision("loop" if t1 < SLOW else "single", t1), used
    many(used, 4)  # compiles
    t = time.perf_counter()
    many(used + 4, 4)
    tl = distribution_lib.agreed_seconds((time.perf_counter() - t) / 4)
    return Decision("loop" if tl < t1 else "single", min(tl, t1)), used + 8


_RISKY = ("conv_general_dilated", "reduce_window", "reduce_window_max", "reduce_window_sum",
          "select_and_scatter_add", "select_and_gather_add")


def loop_risky(jaxpr):
    """True when a compiled loop may run this program slower than one call per step: on CPU,
    XLA runs convolutions and pooling inside a while loop several times slower."""
    if jax.default_backend() != "cpu":
        return False
    for eqn in jaxpr.eqns:
        if eqn.primitive.name in _RISKY:
            return True
        for v in eqn.params.values():
            for sub in (v if isinstance(v, (list, tuple)) else [v]):
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns") and loop_risky(inner):
                    return True
    return False


def block(tree):
    jax.block_until_ready(tree)


class ArrayEpochs:
    """Training epochs over an `ArrayData` (device resident)."""

    def __init__(self, progs, data, shuffle, decisions, key, fixed_k=None, eager=False):
        self.progs, self.data, self.shuffle = progs, data, shuffle
        self.decisions, self.key = decisions, key
        self.fixed_k = fixed_k
        self.eager = eager
        self.bs = data.batch_size
        self.cursor = 0  # batch position inside the current pass (steps_per_epoch < pass)
        self.perm = None
        self.steps_run = 0  # steps dispatched in this fit (the TrainState's `step` on device)

    @property
    def decision(self):
        if self.eager:
            return Decision("single", None)
        if self.fixed_k is not None:
            return Decision("loop", None)
        return self.decisions.get(self.key)

    def _full(self, ts, pos, n, reset, mode):
        """Run full batches [pos, pos + n)."""
        if n <= 0:
            return ts, None
        source, where = (self.data.device, self.perm), ("resident", self.bs)
        if mode == "loop" and n > 1:
            return self.progs.chunk("train", where, True)(ts, source, pos, n, reset)
        one, logs = self.progs.chunk("train", where, False), None
        for i in range(n):
            ts, logs = one(ts, source, pos + i, 1, reset and i == 0)
        return ts, logs

    def run_chunk(self, ts, pos, k, reset):
        """Steps [pos, pos + k) of the pass; the partial batch is step `num_full`."""
        d = self.data
        n_full = max(0, min(pos + k, d.num_full) - pos)
        mode = self.decision.mode if self.decision else "single"
        ts, logs = self._full(ts, pos, n_full, reset, mode)
        if pos + k > d.num_full and d.partial:
            tail = self.progs.chunk("train", ("tail", d.num_full * self.bs, d.partial), False)
            ts, logs = tail(ts, (d.device, self.perm), 0, 1, reset and n_full == 0)
        return ts, logs

    def _tune_chunk(self, ts, pos, reset, available):
        state = {"ts": ts, "logs": None}

        source, where = (self.data.device, self.perm), ("resident", self.bs)

        def one(i):
            state["ts"], state["logs"] = self.progs.chunk("train", where, False)(
                state["ts"], source, pos + i, 1, reset and i == 0)
            block(state["ts"])

        def many(i, n):
            state["ts"], state["logs"] = self.progs.chunk("train", where, True)(
                state["ts"], source, pos + i, n, False)
            block(state["ts"])

        warm = ("warm",) + self.key in self.decisions
        decision, used = tune(one, many, available, warm)
        self.decisions[("warm",) + self.key] = True
        if decision is not None:
            self.decisions[self.key] = decision
        return state["ts"], state["logs"], used

    def _chunk(self, ts, pos, k, reset):
        """Steps [pos, pos + k); the loop-or-single decision is measured on the chunk's first
        steps when it is not known yet."""
        logs = None
        if self.decision is None and pos < self.data.num_full:
            ts, logs, used = self._tune_chunk(ts, pos, reset,
                                              min(k, self.data.num_full - pos))
            pos, k, reset = pos + used, k - used, reset and used == 0
        if k > 0:
            ts, logs = self.run_chunk(ts, pos, k, reset)
        return ts, logs

    def epoch(self, ts, callbacks, model, steps_per_epoch=None, listen=None,
              nan_guard=False, before_call=None, after_call=None):
        """One epoch with callbacks once per chunk. -> (ts, logs tuple of the last chunk)."""
        d = self.data
        if self.cursor == 0 and self.shuffle:
            ts, self.perm = draw_permutation(ts, d.num_samples)
        steps = d.num_batches - self.cursor
        if steps_per_epoch is not None:
            if steps < steps_per_epoch:
                warnings.warn(
                    "Your input ran out of data; interrupting training. Make sure that your "
                    "dataset or generator can generate at least `steps_per_epoch * epochs` "
                    "batches.", stacklevel=3)
            steps = min(steps, steps_per_epoch)
        total = steps_per_epoch or d.num_batches
        reset = [True]

        def run(ts, i, k):
            if before_call is not None and i:
                ts = before_call(ts)
            ts, logs = self._chunk(ts, self.cursor + i, k, reset[0])
            reset[0] = False
            if after_call is not None:
                after_call(ts)
            last, halt = i + k - 1, False
            if nan_guard:
                bad = int(ts.bad_step)
                if bad >= 0:  # report the exact batch that went bad; the epoch stops there
                    last, halt = i + (bad - self.steps_run), True
            self.steps_run += k
            return ts, logs, k, last, halt

        ts, logs, done = chunk_loop(
            ts, resident_plan(steps, listen, total, self.fixed_k), run,
            callbacks.on_train_batch_begin,
            lambda last, logs: callbacks.on_train_batch_end(last, named(self.progs, logs)),
            lambda: model.stop_training)
        self.cursor += done
        if self.cursor >= d.num_batches or (nan_guard and int(ts.bad_step) >= 0):
            self.cursor = 0
        return ts, logs

    def fused(self, ts, n_epochs, val=None, eval_mask=None):
        """Up to FUSED_EPOCHS whole epochs in one call (with validation when `val` is an
        ArrayData). -> (ts, rows (n_done, logs [+ val logs]))."""
        n = min(n_epochs, FUSED_EPOCHS)
        layout = (val.num_samples, val.batch_size) if val is not None else None
        fn = self.progs.train_epochs(self.data.num_samples, self.bs, self.shuffle, FUSED_EPOCHS,
                                     layout)
        if val is None:
            ts, buf, done = fn(ts, self.data.device, n)
        else:
            mask = np.zeros(FUSED_EPOCHS, bool)
            mask[:n] = eval_mask[:n]
            ts, buf, done = fn(ts, self.data.device, n, val.device, mask)
        rows = np.asarray(buf)[: int(done)]
        self.steps_run += len(rows) * self.data.num_batches
        return ts, rows


_EPOCH_HOOKS = ("on_epoch_begin", "on_epoch_end")
_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")
_TEST_HOOKS = ("on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end")


def classify_callbacks(callbacks, base):
    """-> (nan_guard, listen, epoch_hooks) for a CallbackList of fit; `base` is the Callback
    class whose no-op hooks do not count.

    History and TerminateOnNaN can be replayed from fused epochs (the NaN guard runs on device);
    anything else that overrides a batch / epoch hook needs the host at chunk / epoch
    boundaries. `listen`: how often the host must see training batches (listening.py)."""
    from jkeras.training.callbacks import History, TerminateOnNaN
    nan_guard = any(isinstance(c, TerminateOnNaN) for c in callbacks.callbacks)
    others = [c for c in callbacks.callbacks if not isinstance(c, (History, TerminateOnNaN))]
    listen = listening.level(others, "train", base)
    epoch_hooks = any(listening.is_overridden(c, h, base) for c in others
                      for h in _EPOCH_HOOKS + _BATCH_HOOKS + _TEST_HOOKS)
    return nan_guard, listen, epoch_hooks


def should_eval(epoch, validation_freq):
    """Keras's `validation_freq`: an int (every n epochs) or a list of (1-based) epochs."""
    if isinstance(validation_freq, (int, np.integer)) and not isinstance(validation_freq, bool):
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, (list, tuple)):
        return (epoch + 1) in validation_freq
    raise ValueError("Expected `validation_freq` to be a list or int. "
                     f"Received: validation_freq={validation_freq} of the type "
                     f"{type(validation_freq)}.")

"""evaluate() and predict() loops (validation inside fit uses `EvalRunner` too).

Both reuse the loop-or-single decision made for training (see loop.py); the weights are only
read, so nothing is donated. Metric accumulators restart at the first call of a run. The chunk
length (batches between two hook calls) comes from the callbacks alone (listening.py).
"""
import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.training import data as data_lib, listening
from jkeras.training.chunks import chunk_loop, named, resident_plan


class EvalRunner:
    """evaluate() / validation: metric accumulators only; the weights are read, not donated."""

    def __init__(self, progs, decision, eager):
        self.progs, self.decision, self.eager = progs, decision, eager
        self.single = eager or (decision is not None and decision.mode == "single")

    def run(self, es, data, callbacks, model, listen, steps=None):
        end = (lambda last, logs: callbacks.on_test_batch_end(last, named(self.progs, logs)))
        stopped = (lambda: model.stop_evaluating)
        if isinstance(data, data_lib.IterableData):
            one = self.progs.chunk("test", ("single",), False)

            def run_host(es, i, batch):
                es, logs = one(es, distribution_lib.put_batch(batch), 0, 1, i == 0)
                return es, logs, 1, i, False
            _, logs, _ = chunk_loop(es, enumerate(data.epoch(on_device=True)), run_host,
                                    callbacks.on_test_batch_begin, end, stopped)
            return named(self.progs, logs)
        bs, dev = data.batch_size, data.device
        total = data.num_batches if steps is None else min(steps, data.num_batches)
        source, where = (dev, None), ("resident", bs)

        def run(es, i, k):
            reset = i == 0
            n_full = max(0, min(i + k, data.num_full) - i)
            logs = None
            if n_full and not self.single and n_full > 1:
                es, logs = self.progs.chunk("test", where, True)(es, source, i, n_full, reset)
            else:
                for j in range(n_full):
                    es, logs = self.progs.chunk("test", where, False)(
                        es, source, i + j, 1, reset and j == 0)
            if i + k > data.num_full and data.partial:
                tail = self.progs.chunk("test", ("tail", data.num_full * bs, data.partial),
                                        False)
                es, logs = tail(es, source, 0, 1, reset and n_full == 0)
            return es, logs, k, i + k - 1, False
        _, logs, _ = chunk_loop(es, resident_plan(total, listen, total), run,
                                callbacks.on_test_batch_begin, end, stopped)
        return named(self.progs, logs)


def _concat(parts):
    return jax.tree_util.tree_map(lambda *a: np.concatenate([np.asarray(p) for p in a]), *parts)


class PredictRunner:
    """predict(): (k, batch, ...) blocks from one compiled `lax.map`; the last partial batch
    by its own program. With a fixed chunk length the last chunk's start is clamped back (its
    first batches are computed twice and dropped) so one program serves every chunk."""

    def __init__(self, progs, decision, eager):
        self.progs, self.decision, self.eager = progs, decision, eager
        self.single = eager or (decision is not None and decision.mode == "single")

    def run(self, variables, data, callbacks, model, listen, steps=None):
        parts = []
        end = (lambda last, out: callbacks.on_predict_batch_end(last, {"outputs": out}))
        stopped = (lambda: model.stop_predicting)
        if isinstance(data, data_lib.IterableData):
            fn = self.progs.predict_host()

            def run_host(state, i, batch):
                out = fn(variables, distribution_lib.put_batch(batch[0]))
                parts.append(out)
                return state, out, 1, i, False
            chunk_loop(None, enumerate(data.epoch(on_device=True)), run_host,
                       callbacks.on_predict_batch_begin, end, stopped)
            return _concat(parts)
        bs, x = data.batch_size, data.device[0]
        total = data.num_batches if steps is None else min(steps, data.num_batches)
        n_full_total = min(total, data.num_full)
        hook_k = listening.chunk_length(listen, max(1, n_full_total), total)
        kk = 1 if self.single else hook_k  # batches per compiled call

        def plan():
            i = 0
            while i < total:
                k = min(hook_k, total - i) if n_full_total > i else 1
                yield i, k
                i += k

        def run(state, i, k):
            chunk = []
            n_full = max(0, min(i + k, n_full_total) - i)
            for j in range(0, n_full, kk):
                n = min(kk, n_full - j)
                start = min(i + j, data.num_full - kk)
                block = self.progs.predict_many(bs, kk)(variables, x, start)
                skip = (i + j - start) * bs
                chunk.append(jax.tree_util.tree_map(lambda a: a[skip:skip + n * bs], block))
            if i + k > data.num_full and data.partial:
                chunk.append(self.progs.predict_tail(data.num_full * bs, data.partial)(
                    variables, x))
            out = chunk[0] if len(chunk) == 1 else jax.tree_util.tree_map(
                lambda *a: jax.numpy.concatenate(a), *chunk)
            parts.append(out)
            return state, out, k, i + k - 1, False
        chunk_loop(None, plan(), run, callbacks.on_predict_batch_begin, end, stopped)
        return _concat(parts)

"""Training epochs over host batches (generators, iterators, datasets, PyDataset)."""
import time

from jkeras.distribution import current as distribution_lib
from jkeras.training import data as data_lib, listening
from jkeras.training.chunks import HostPlan, chunk_loop, named
from jkeras.training.loop import SLOW, Decision, block
from jkeras.training.state import copy_tree


class HostEpochs:
    """Training epochs over host batches (generators, iterators, datasets): batches are pulled
    on the host, K same-shaped ones stacked and transferred together, then run by one compiled
    loop; the next chunk is assembled while the device works (dispatch is asynchronous)."""

    def __init__(self, progs, source, decisions, key, fixed_k=None, eager=False):
        self.progs, self.source = progs, source
        self.decisions, self.key = decisions, key
        self.fixed_k, self.eager = fixed_k, eager
        self.steps_run = 0

    def _k(self, listen):
        total = getattr(self.source, "num_batches", None)
        return listening.chunk_length(listen, None, total, self.fixed_k,
                                      cap=listening.HOST_CHUNK)

    def _stacks(self):
        """Whether a chunk's batches run as one compiled loop (else one call each)."""
        if self.eager:
            return False
        if self.fixed_k is not None:
            return True
        d = self.decisions.get(self.key)
        return d is not None and d.mode == "loop"

    def _chunks(self, k):
        """Group the epoch's batches into runs of <= k with one shape signature."""
        group = []
        for batch in self.source.epoch(on_device=True):
            if group and (len(group) == k or not data_lib.same_signature(group[0], batch)):
                yield group
                group = []
            group.append(batch)
        if group:
            yield group

    def _prepare(self, group, k):
        """Host work for one chunk: stack (padded to k, so one program serves every chunk)
        and start the transfer. -> (device batches, n, stacked?)"""
        if len(group) == 1 or k == 1 or not self._stacks():
            return [distribution_lib.put_batch(b) for b in group], len(group), False
        stacked = data_lib.stack_batches(group + [group[-1]] * (k - len(group)))
        return distribution_lib.put_batch(stacked, stacked=True), len(group), True

    def _run(self, ts, prepared, reset):
        batches, n, stacked = prepared
        if stacked:
            return self.progs.chunk("train", ("stacked",), True)(ts, batches, 0, n, reset)
        one, logs = self.progs.chunk("train", ("single",), False), None
        for j, b in enumerate(batches):
            ts, logs = one(ts, b, 0, 1, reset and j == 0)
        return ts, logs

    @property
    def decision(self):
        return None  # fused epochs need device-resident data

    def epoch(self, ts, callbacks, model, listen=None, nan_guard=False, before_call=None,
              after_call=None):
        if not self.eager and self.fixed_k is None and self.key not in self.decisions:
            self._measure(ts)
        k = self._k(listen)
        plan = HostPlan(self._chunks(k), lambda group: self._prepare(group, k))
        reset = [True]

        def run(ts, i, ready):
            if before_call is not None and i:
                ts = before_call(ts)
            ts, logs = self._run(ts, ready, reset[0])  # asynchronous dispatch ...
            plan.advance()  # ... so the next chunk is pulled while it runs
            reset[0] = False
            if after_call is not None:
                after_call(ts)
            n = ready[1]
            last, halt = i + n - 1, False
            if nan_guard:
                bad = int(ts.bad_step)
                if bad >= 0:
                    last, halt = i + bad - self.steps_run, True
            self.steps_run += n
            return ts, logs, n, last, halt

        return chunk_loop(
            ts, plan, run, callbacks.on_train_batch_begin,
            lambda last, logs: callbacks.on_train_batch_end(last, named(self.progs, logs)),
            lambda: model.stop_training)

    def _measure(self, ts):
        """Time one compiled step on the first batch (without keeping its result)."""
        one = self.progs.chunk("train", ("single",), False)
        batch = distribution_lib.put_batch(self.source.first)
        probe = copy_tree(ts)
        probe, _ = one(probe, batch, 0, 1, True)
        block(probe)
        t = time.perf_counter()
        probe, _ = one(probe, batch, 0, 1, True)
        block(probe)
        t1 = distribution_lib.agreed_seconds(time.perf_counter() - t)
        self.decisions[self.key] = Decision("loop" if t1 < SLOW else "single", t1)

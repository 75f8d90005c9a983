"""The one chunk loop of fit's epochs, evaluate and predict, and its plans.

A chunk is the batches between two visits of the host (the batch hooks); listening.py says how
long a chunk is. The runners (loop.py's ArrayEpochs, host_epochs.py's HostEpochs,
inference.py's EvalRunner / PredictRunner) differ only in where batches come from and which
compiled program runs them (step.py's `Programs.chunk`).
"""
from jkeras.training import listening


def named(progs, logs):
    if logs is None:
        return {}
    return dict(zip(progs.outputs.result_names(), logs))


# ------------------------------------------------------------------ the one chunk loop
def chunk_loop(state, plan, run, begin, end, stopped):
    """The chunk loop of fit's epochs, evaluate and predict, on resident or host data. `plan`
    yields (first batch index, payload) per chunk; `run(state, first, payload)` -> (state, logs,
    n, last, halt) makes the chunk's compiled call(s): `n` batches ran, `last` is the batch index
    the end hook reports, `halt` stops after that hook (a non-finite loss). `begin(first)` /
    `end(last, logs)` are the batch hooks; `stopped()` reads the model's stop flag.
    -> (state, logs of the last chunk, batches run)."""
    logs, done = None, 0
    for first, payload in plan:
        begin(first)
        state, logs, n, last, halt = run(state, first, payload)
        end(last, logs)
        done = first + n
        if halt or stopped():
            break
    return state, logs, done


def resident_plan(steps, listen, total, fixed_k=None):
    """(first, k) chunks over `steps` resident batches (listening.py sets k)."""
    i = 0
    while i < steps:
        k = listening.chunk_length(listen, steps - i, total, fixed_k)
        yield i, k
        i += k


class HostPlan:
    """(first, prepared chunk) over host batches. The next chunk is pulled and sent to the
    device while the current one runs: `run` calls `advance()` right after its dispatch."""

    def __init__(self, groups, prepare):
        self._groups, self._prepare = groups, prepare
        self._pending = False
        self._next = self._pull()

    def _pull(self):
        group = next(self._groups, None)
        return None if group is None else self._prepare(group)

    def advance(self):
        if self._pending:
            self._next, self._pending = self._pull(), False

    def __iter__(self):
        i = 0
        while self._next is not None:
            current, self._pending = self._next, True
            yield i, current
            self.advance()
            i += current[1]

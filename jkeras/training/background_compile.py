"""Compile a program on a background thread while the host goes on.

fit's first epoch needs the program of the last, partial batch only at the end of the epoch;
compiling it at that point adds its whole compile time to the first epoch. `start` lowers
(traces) the program on the calling thread and hands only XLA's compile to a worker thread,
which runs while the full batches' program compiles and runs. The executable lands in
`jax.jit`'s own cache, so the later ordinary call finds it; `wait` before that call keeps it
from being compiled twice. Any failure here is dropped: the ordinary call then compiles (and
raises) as it would have.
"""
import concurrent.futures

_executor = []
_pending = {}


def _pool():
    if not _executor:
        _executor.append(concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="jkeras-compile"))
    return _executor[0]


def start(program, *args):
    """Begin compiling `program` (a watched `jax.jit` function) for `args` unless it has
    compiled something already or is being compiled."""
    jitted = getattr(program, "__wrapped__", None)
    if jitted is None or not hasattr(jitted, "lower") or program in _pending:
        return
    if jitted._cache_size() > 0:
        return
    try:
        lowered = jitted.lower(*args)
    except Exception:  # pylint: disable=broad-except  (the real call reports it)
        return
    _pending[program] = _pool().submit(lowered.compile)


def wait(program):
    """Block until a background compile of `program` (if any) has finished."""
    future = _pending.pop(program, None)
    if future is not None:
        try:
            future.result()
        except Exception:  # pylint: disable=broad-except  (the real call reports it)
            pass

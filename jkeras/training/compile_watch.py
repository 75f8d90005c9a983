"""Compilation as the progress bar sees it: a compiled program's first call (and any call that
grows its cache) is XLA compiling, not training. The bar leaves that time out of its rate and
ETA, and says "compiling" while a compilation runs for longer than NOTE_AFTER seconds.

`watched(jitted)` wraps a `jax.jit` function; during fit / evaluate / predict the trainer sets
the listener (`listening(callbacks)`), which receives `compile_started()` (only once NOTE_AFTER
has passed) and `compile_finished(seconds)`. Calls cost one cache-size read when nobody listens.
"""
import threading
import time

from jkeras.core.scoped import Scoped

NOTE_AFTER = 1.0  # seconds of compilation before the bar says so


_listener = Scoped()


def listening(listener):
    return _listener.using(listener)


def watched(jitted):
    cache_size = getattr(jitted, "_cache_size", None)
    if cache_size is None:  # not a jax.jit function (eager programs): nothing compiles
        return jitted
    first = [True]

    def call(*args, **kwargs):
        listener = _listener.current
        if listener is None:
            first[0] = False
            return jitted(*args, **kwargs)
        before = cache_size()
        timer = None
        if first[0]:  # the likely compile: arm the "compiling" note
            timer = threading.Timer(NOTE_AFTER, listener.compile_started)
            timer.daemon = True
            timer.start()
        first[0] = False
        start = time.perf_counter()
        try:
            return jitted(*args, **kwargs)
        finally:
            if timer is not None:
                timer.cancel()
            if cache_size() > before:
                listener.compile_finished(time.perf_counter() - start)
    call.__wrapped__ = jitted
    return call

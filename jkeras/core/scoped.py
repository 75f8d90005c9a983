"""A value set for the duration of a `with` block, per thread (what a traced training step
publishes to code it calls: the step's key, the optimizer binding, the compile listener)."""
import contextlib
import threading


class Scoped(threading.local):
    """`scoped.current` is None outside `with scoped.using(value):`; blocks nest."""
    current = None

    @contextlib.contextmanager
    def using(self, value):
        previous, self.current = self.current, value
        try:
            yield value
        finally:
            self.current = previous

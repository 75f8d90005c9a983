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


class ScopeStack(threading.local):
    """The open `with` scopes of one kind, innermost last, per thread (`stack.items`)."""

    def __init__(self):
        self.items = []


class StackedScope:
    """A `with` block that pushes itself on its class's `_open` stack and pops on exit;
    `_enters()` may decline to open a new level (then exit pops nothing)."""
    _open = None  # a ScopeStack, set by each subclass
    _pop_on_exit = False

    def _enters(self):
        return True

    def __enter__(self):
        if self._enters():
            self._open.items.append(self)
            self._pop_on_exit = True
        return self

    def __exit__(self, *exc):
        if self._pop_on_exit:
            self._open.items.pop()
            self._pop_on_exit = False

"""The scope that routes variables to layers during `init` / `apply`.

A frame is opened for one layer's call: it holds that layer's own weights and its children's
variable slices. A child called inside the frame (a sub-layer used in `call`) gets its slice by
name, is initialised on first use in init mode, and its new state is written back to the frame.
"""
import threading

import jax

_local = threading.local()


def _stack():
    if not hasattr(_local, "frames"):
        _local.frames = []
    return _local.frames


def current_frame():
    stack = _stack()
    return stack[-1] if stack else None


def frame_of(layer):
    """Innermost frame opened for `layer` (its weights are bound there), or None."""
    for frame in reversed(_stack()):
        if frame.layer is layer:
            return frame
    return None


class Frame:
    def __init__(self, layer, params, state, training, rng, init_key=None):
        self.layer = layer
        self.params = dict(params)
        self.state = dict(state)
        self.training = training
        self.rng = rng
        self.init_key = init_key  # set only in init mode: children get created on first call
        self._calls = 0
        self._initialised = set()
        self._index = None  # child layer id -> (name, position), built once per frame

    def __enter__(self):
        _stack().append(self)
        return self

    def __exit__(self, *exc):
        _stack().pop()

    def bound(self, name):
        if name in self.params:
            return self.params[name]
        return self.state[name]

    def assign_state(self, name, value):
        self.state[name] = value

    def next_rng(self):
        if self.rng is None:
            return None
        self._calls += 1
        return jax.random.fold_in(self.rng, self._calls)

    def call_child(self, child, args, kwargs):
        if self._index is None:
            self._index = self.layer._child_index()
        index = self._index
        training = kwargs.pop("training", None)
        training = self.training if training is None else bool(training)
        if id(child) not in index:
            return self._call_untracked(child, args, kwargs, training)
        name, position = index[id(child)]
        if self.init_key is not None and name not in self._initialised:
            self._initialised.add(name)
            if name not in self.params and name not in self.state:
                created = child.init(jax.random.fold_in(self.init_key, position), *args, **kwargs)
                if created["params"]:
                    self.params[name] = created["params"]
                if created["state"]:
                    self.state[name] = created["state"]
        variables = {"params": self.params.get(name, {}), "state": self.state.get(name, {})}
        out, new_state = child.apply(variables, *args, training=training, rng=self.next_rng(), **kwargs)
        if new_state and self.init_key is None:  # `init` returns initial values
            self.state[name] = new_state
        child._record_output(out)
        return out

    def _call_untracked(self, child, args, kwargs, training):
        # A weightless layer made inside `call` (e.g. Flatten()(x)) is harmless; one with weights
        # would silently own weights the model cannot see.
        child._build_specs(args)
        if child._own_weights or child._child_layers():
            raise ValueError(
                f"Layer '{child.name}' was called inside '{self.layer.name}'.call() but is not "
                f"tracked by '{self.layer.name}', so its weights would not belong to the model. "
                f"Assign it as an attribute in __init__ (e.g. `self.{child.name} = ...`).")
        out, _ = child.apply({"params": {}, "state": {}}, *args, training=training,
                             rng=self.next_rng(), **kwargs)
        return out

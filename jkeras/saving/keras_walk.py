"""Keras 3's walk over a model's attributes, which names the groups of a `.weights.h5` file.

Reproduces keras/src/saving/saving_lib.py (`_save_state`, `_walk_saveable`,
`_save_container_state`) on jkeras objects:

- Each saveable (a Layer or an optimizer) owns the group `<path>/vars` (`vars` for the model
  itself), holding its own variables as datasets "0", "1", ...: trainable ones first, then
  non-trainable ones, each in creation order (Layer.save_own_variables). Keras creates the group
  even for a layer without variables, with the attribute `name` = the layer's name.
- Children are reached through attributes, in `sorted(dir(obj))` order with private names
  (leading "_") last; attributes every plain Layer has are skipped (Keras's `get_attr_skipset`
  uses `dir(Layer())`). Sequential and functional models first yield `layers`, their layer list
  (a functional model's includes its InputLayers; a Sequential's does not).
- A child Layer/optimizer is at `<path>/<attribute>`. A list, tuple or dict (its values) is a
  container at `<path>/<attribute>`; its items are named by their class in snake case with a
  counter per name (`dense`, `dense_1`, `dropout`, ...: never the layer's own name), nested
  containers `container`, `container_1`, ...
- An object already visited is skipped (a shared layer is saved once, at its first path), but
  it still takes its name in a container's counter.
Examples: `layers/dense_1/vars/0`, `layers/lstm/cell/vars/2`,
`layers/bidirectional/forward_layer/cell/vars/0`, `layers/multi_head_attention/query_dense/vars/0`,
subclassed `dense1/vars/0` or `blocks/dense/vars/0`, and `optimizer/vars/0` (the iterations).
"""
from typing import Any, NamedTuple

from jkeras.core.layer import Layer
from jkeras.core.naming import to_snake_case

# Keras's Layer base also has these; jkeras keeps its Sequential's layer list (with the
# InputLayer) in `_layers`, which Keras never walks.
_ALSO_SKIPPED = {"_layers", "_self_unconditional_dependency_names"}
_skipset = None


class Entry(NamedTuple):
    path: str  # the object's group ("" for the model); its variables are in `<path>/vars`
    obj: Any  # a Layer or an optimizer


def vars_path(path):
    """The group holding an entry's datasets."""
    return f"{path}/vars" if path else "vars"


def walk(model):
    """Every saveable reachable from `model`, with its group path, in Keras's order."""
    entries, visited = [], set()
    _visit(model, "", entries, visited)
    return entries


def is_saveable(obj):
    from jkeras.optimizers.base import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def own_variables(layer):
    """A layer's own variables as Keras saves them: trainable, then non-trainable."""
    ordered = layer._keras_store_order() if hasattr(layer, "_keras_store_order") else None
    if ordered is not None:  # a quantized layer: Keras's `variable_serialization_spec`
        return [w for w in ordered if w._value is not None]
    # (a layer may list more that Keras tracks on it: SpectralNormalization's wrapped kernel)
    tracked = layer._keras_saved_variables() if hasattr(layer, "_keras_saved_variables") \
        else layer._own_weights
    own = [w for w in tracked if w._value is not None]
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def _join(path, name):
    return f"{path}/{name}" if path else name


def _visit(obj, path, entries, visited):
    if id(obj) in visited:
        return
    entries.append(Entry(path, obj))
    visited.add(id(obj))
    if not isinstance(obj, Layer):
        return  # an optimizer: its slots are in its own `vars`, nothing below it
    for attr, child in _children(obj):
        if is_saveable(child):
            _visit(child, _join(path, attr), entries, visited)
        elif isinstance(child, (list, tuple, dict)):
            _visit_container(child, _join(path, attr), entries, visited, set())


def _visit_container(container, path, entries, visited, seen_containers):
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    items = list(container.values()) if isinstance(container, dict) else list(container)
    used = {}
    for item in items:
        if is_saveable(item):
            name = _unique(to_snake_case(type(item).__name__), used)
            _visit(item, _join(path, name), entries, visited)
        elif isinstance(item, (list, tuple, dict)):
            name = _unique("container", used)
            _visit_container(item, _join(path, name), entries, visited, seen_containers)


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


unique_name = _unique  # Keras's name for the n-th unnamed child of a kind ("adam", "adam_1")


def _children(obj):
    """(attribute, value) pairs in Keras's order (see the module docstring)."""
    from jkeras.models.functional import Functional
    from jkeras.models.sequential import Sequential
    if isinstance(obj, (Sequential, Functional)):
        yield "layers", obj.layers
    skip = _attr_skipset()
    for attr in sorted(dir(obj), key=lambda a: "~" + a if a.startswith("_") else a):
        if attr.startswith("__") or attr in skip:
            continue
        try:
            value = getattr(obj, attr)
        except Exception:  # as Keras: a property that cannot be read is not walked
            continue
        yield attr, value


def _attr_skipset():
    global _skipset
    if _skipset is None:
        probe = Layer(name="jkeras_saving_attr_probe")  # a given name uses no name counter
        _skipset = frozenset(dir(probe)) | _ALSO_SKIPPED
    return _skipset

"""Orbax checkpoints (Keras 3's `OrbaxCheckpoint` directories): the model's state tree, and
reading a checkpoint back with `model.load_weights(dir)` / `saving.load_model(dir)`.

A checkpoint directory holds one subdirectory per step (`<dir>/<step>`), each with the
checkpointables Keras writes: `pytree` (the arrays) and, unless `save_weights_only`,
`model_config` ({"config": the model's JSON}). The pytree is Keras's state tree:

    {"trainable_variables": {layer: {weight: array}}, "non_trainable_variables": {...},
     "optimizer_variables": {"iterations", "learning_rate", "slots": {slot: {layer: ...}}}}

nested by jkeras's variable paths (those of `model.get_variables()`; Keras nests its own
under the model's name and flattens the optimizer's names). Arrays go to Orbax as the
jax.Arrays they are, with their shardings, so a sharded model is written shard by shard by
the devices that hold it, never gathered on one host. Reading lays each array out as the
current distribution says (`ModelParallel`'s layout map, `DataParallel`'s replicas), or as
the model's own arrays are when there is none. orbax-checkpoint is an optional extra,
imported when it is first needed.
"""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.optimizers.base import OptimizerState
from jkeras.saving import optimizer_vars, serialization
from jkeras.training.callbacks.orbax_checkpoint import import_orbax

TRAINABLE, NON_TRAINABLE, OPTIMIZER = ("trainable_variables", "non_trainable_variables",
                                       "optimizer_variables")


def orbax_v1():
    return import_orbax().v1


# ---- the state tree ------------------------------------------------------------------------
def _key(entry):
    for attr in ("key", "name", "idx"):
        if hasattr(entry, attr):
            return str(getattr(entry, attr))
    return str(entry)


def _nested(tree):
    """Any pytree as nested dicts of string keys (Orbax's plainest form); None leaves drop."""
    out = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        node = out
        for entry in path[:-1]:
            node = node.setdefault(_key(entry), {})
        node[_key(path[-1]) if path else "value"] = leaf
    return out


def _from_nested(nested, like, where):
    """`like`'s structure with its leaves taken from `nested` (made by `_nested`)."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(like)
    values = []
    for path, _ in leaves:
        node = nested
        for entry in path or ("value",):
            key = _key(entry) if path else entry
            if not isinstance(node, dict) or key not in node:
                raise ValueError(f"The checkpoint has no value for {where}/"
                                 f"{'/'.join(_key(e) for e in path)}; it was written for a "
                                 "different model or optimizer.")
            node = node[key]
        values.append(node)
    return jax.tree_util.tree_unflatten(treedef, values)


def _sync(model):
    sync = getattr(model, "jax_state_sync", None)  # inside fit the loop holds the weights
    if sync is not None:
        sync()


def _optimizer_view(model, fresh):
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None, None, None
    view = optimizer_vars.current_view(model, opt)
    frozen = None
    if view is None and fresh:
        view, frozen = optimizer_vars.fresh_view(model, opt)
    return opt, view, frozen


def _opt_dict(state):
    out = {"iterations": state.iterations, "slots": _nested(state.slots)}
    if state.learning_rate is not None:
        out["learning_rate"] = state.learning_rate
    return out


def get_state_tree(model, value_format="backend_tensor"):
    """The model's variables (and its optimizer's, once it has state) as nested dicts of the
    live jax.Arrays (no copies, shardings kept), or of NumPy copies with
    `value_format="numpy_array"`."""
    if value_format not in ("backend_tensor", "numpy_array"):
        raise ValueError("Invalid `value_format` argument. Expected one of "
                         "{'backend_tensor', 'numpy_array'}. Received: "
                         f"value_format={value_format}")
    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no state "
                         "tree. Build it by calling it on data or with `build()` first.")
    _sync(model)
    variables = model.get_variables()
    tree = {TRAINABLE: variables["params"], NON_TRAINABLE: variables["state"]}
    _, view, _ = _optimizer_view(model, fresh=False)
    if view is not None:
        tree[OPTIMIZER] = _opt_dict(view.state)
    if value_format == "numpy_array":
        return jax.tree_util.tree_map(np.asarray, tree)
    return tree


def _target(model, with_optimizer):
    """(the current jkeras-form tree, the optimizer, its view, frozen paths)."""
    _sync(model)
    variables = model.get_variables()
    current = {"params": variables["params"], "state": variables["state"]}
    opt, view, frozen = _optimizer_view(model, fresh=with_optimizer)
    if with_optimizer and view is not None:
        current["opt_state"] = view.state
    return current, opt, view, frozen


def _shardings(current):
    """Where each restored array goes: the distribution's layout, else the model's own."""
    placed = distribution_lib.put_state(current)
    return jax.tree_util.tree_map(lambda a: a.sharding, placed)


def set_state_tree(model, state_tree):
    """Assign a state tree (from `get_state_tree` or an Orbax checkpoint) to the model: its
    variables, and its optimizer's state when the tree has one. Arrays keep their shardings."""
    if not isinstance(state_tree, dict):
        raise TypeError(f"`set_state_tree` expects a dict state tree; received "
                        f"{type(state_tree).__name__}.")
    unknown = sorted(set(state_tree) - {TRAINABLE, NON_TRAINABLE, OPTIMIZER,
                                        "metrics_variables"})
    if unknown:
        raise ValueError(f"Unknown keys in the state tree: {unknown}. Expected some of "
                         f"{[TRAINABLE, NON_TRAINABLE, OPTIMIZER, 'metrics_variables']}.")
    current, opt, view, frozen = _target(model, OPTIMIZER in state_tree)
    params = _from_nested(state_tree.get(TRAINABLE, {}), current["params"], TRAINABLE) \
        if TRAINABLE in state_tree else current["params"]
    state = _from_nested(state_tree.get(NON_TRAINABLE, {}), current["state"], NON_TRAINABLE) \
        if NON_TRAINABLE in state_tree else current["state"]
    new_opt = None
    if view is not None and OPTIMIZER in state_tree:
        new_opt = _optimizer_state(state_tree[OPTIMIZER], view.state)
    model.set_variables({"params": params, "state": state})
    if new_opt is not None:
        optimizer_vars.install(model, opt, _Installed(new_opt, view), frozen)


def _optimizer_state(saved, like):
    if not isinstance(saved, dict) or "iterations" not in saved:
        raise ValueError("The optimizer_variables of the state tree hold no 'iterations'; "
                         "they were not written by jkeras's OrbaxCheckpoint.")
    lr = like.learning_rate
    if lr is not None and "learning_rate" in saved:
        lr = jnp.asarray(saved["learning_rate"], jnp.asarray(lr).dtype)
    return OptimizerState(
        iterations=jnp.asarray(saved["iterations"], jnp.asarray(like.iterations).dtype),
        learning_rate=lr,
        slots=_from_nested(saved.get("slots", {}), like.slots, f"{OPTIMIZER}/slots"))


class _Installed:
    """What `optimizer_vars.install` reads from a view: the state and where it lives."""

    def __init__(self, state, view):
        self.state = state
        self.imperative = getattr(view, "imperative", False)


def _abstract(current):
    """ShapeDtypeStructs of the tree Orbax reads into, in the state-tree form."""
    shardings = _shardings(current)
    abstract = jax.tree_util.tree_map(
        lambda a, s: jax.ShapeDtypeStruct(jnp.shape(a), jnp.asarray(a).dtype, sharding=s),
        current, shardings)
    out = {TRAINABLE: abstract["params"], NON_TRAINABLE: abstract["state"]}
    if "opt_state" in abstract:
        out[OPTIMIZER] = _opt_dict(abstract["opt_state"])
    return out


# ---- checkpoint directories ----------------------------------------------------------------
_INDICATORS = {"orbax.checkpoint", "pytree.orbax-checkpoint", "checkpoint_metadata",
               "_CHECKPOINT_METADATA", "pytree"}


def is_orbax_checkpoint(filepath):
    """True for an Orbax checkpoint root (step subdirectories) or one step's directory."""
    path = os.fspath(filepath)
    if not os.path.isdir(path):
        return False
    try:
        contents = os.listdir(path)
    except OSError:
        return False
    if not _INDICATORS.isdisjoint(contents):
        return True
    return any(".orbax-checkpoint-tmp" in item or
               (item.isdigit() and os.path.isdir(os.path.join(path, item)))
               for item in contents)


def step_directory(filepath):
    """`filepath` itself when it is one step's directory, else its latest step's."""
    path = os.fspath(filepath)
    steps = [item for item in os.listdir(path)
             if item.isdigit() and os.path.isdir(os.path.join(path, item))]
    if not steps:
        return path
    latest = orbax_v1().training.Checkpointer(directory=path).latest
    if latest is None:
        raise ValueError(f"No valid checkpoints found in {path}")
    return os.path.join(path, str(latest.step))


def _saved_keys(step_dir):
    return set(os.listdir(step_dir))


def load_weights(model, filepath):
    """Restore the latest (or the given step's) weights and optimizer state into `model`,
    each array laid out where the model (or the current distribution) wants it."""
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by using "
                         "`build()`.")
    ocp = orbax_v1()
    step_dir = step_directory(filepath)
    meta = ocp.pytree_metadata(step_dir, checkpointable_name="pytree").metadata
    has_opt = OPTIMIZER in meta and getattr(model, "optimizer", None) is not None
    current, _, _, _ = _target(model, has_opt)
    abstract = _abstract(current)
    request = {k: v for k, v in abstract.items() if k in meta}
    _check_paths(_paths(meta, request), _paths(request), step_dir, model)
    with ocp.Context():
        loaded = ocp.load_checkpointables(step_dir, {"pytree": request})["pytree"]
    set_state_tree(model, loaded)


def _paths(tree, keep=None):
    """{"a/b/c": shape} of a nested dict's leaves, only under the top-level keys of `keep`."""
    out = {}

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}/{k}" if prefix else str(k))
        else:
            out[prefix] = tuple(getattr(node, "shape", ()))
    walk({k: v for k, v in tree.items() if keep is None or k in keep}, "")
    return out


def _check_paths(saved, wanted, where, model):
    missing = sorted(set(wanted) - set(saved))
    extra = sorted(set(saved) - set(wanted))
    shapes = [f"{p} is {list(wanted[p])} in the model but {list(saved[p])} in the checkpoint"
              for p in sorted(set(saved) & set(wanted)) if saved[p] != wanted[p]]
    lines = [f"- in the model but not in the checkpoint: {', '.join(missing[:10])}"] \
        if missing else []
    lines += [f"- in the checkpoint but not in the model: {', '.join(extra[:10])}"] \
        if extra else []
    lines += [f"- {line}" for line in shapes[:10]]
    if lines:
        raise ValueError(
            f"The Orbax checkpoint {where} does not fit model '{model.name}' (variables are "
            "matched by layer and weight names):\n" + "\n".join(lines) +
            "\nNothing was loaded (the model's weights are unchanged).")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model rebuilt from the `model_config` of the latest checkpoint, with its state."""
    ocp = orbax_v1()
    step_dir = step_directory(filepath)
    if "model_config" not in _saved_keys(step_dir):
        raise ValueError("Checkpoint does not contain model configuration. This checkpoint "
                         "may have been saved with save_weights_only=True.")
    with ocp.Context():
        raw = ocp.load_checkpointables(step_dir, {"model_config": None})["model_config"]
    config = json.loads(raw["config"])
    if not compile:
        config["compile_config"] = None
    model = serialization.object_from_file_config(config, filepath, custom_objects, safe_mode,
                                                  errors=())
    load_weights(model, step_dir)
    return model

"""Orbax checkpoints (Keras 3's `OrbaxCheckpoint` directories): the model's state tree, and
reading a checkpoint back with `model.load_weights(dir)` / `saving.load_model(dir)`.

A checkpoint directory holds one subdirectory per step (`<dir>/<step>`), each with the
checkpointables Keras writes: `pytree` (the arrays) and, unless `save_weights_only`,
`model_config` ({"config": the model's JSON}); Keras also writes `assets` (its asset files),
which jkeras neither writes nor reads (its lookup layers run on the host, outside models).
The pytree is Keras's state tree in Keras's layout (state_tree.py), so Keras 3 (JAX backend)
and jkeras read each other's checkpoints.
Arrays go to Orbax as the jax.Arrays they are, with their shardings, so a sharded model is
written shard by shard by the devices that hold it, never gathered on one host. Reading lays
each array out as the current distribution says (`ModelParallel`'s layout map,
`DataParallel`'s replicas), or as the model's own arrays are when there is none.
orbax-checkpoint is an optional extra, imported when it is first needed.
"""
import json
import os

import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.saving import serialization, state_tree
from jkeras.saving.state_tree import METRICS, NON_TRAINABLE, OPTIMIZER, SECTIONS, TRAINABLE
from jkeras.training.callbacks.orbax_checkpoint import import_orbax


def orbax_v1():
    return import_orbax().v1


# ---- the state tree ------------------------------------------------------------------------
def _sync(model):
    sync = getattr(model, "jax_state_sync", None)  # inside fit the loop holds the weights
    if sync is not None:
        sync()


def get_state_tree(model, value_format="backend_tensor"):
    """Keras's state tree of the model: its variables, its optimizer's and its metrics', as
    nested dicts of the live jax.Arrays (no copies, shardings kept), or of NumPy copies with
    `value_format="numpy_array"`."""
    if value_format not in ("backend_tensor", "numpy_array"):
        raise ValueError("Invalid `value_format` argument. Expected one of "
                         "{'numpy_array', 'backend_tensor'}. Received: "
                         f"value_format={value_format}")
    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no state "
                         "tree. Build it by calling it on data or with `build()` first.")
    _sync(model)
    flat = state_tree.Layout(model).current
    if value_format == "numpy_array":
        flat = {section: {path: np.asarray(value) for path, value in entries.items()}
                for section, entries in flat.items()}
    return {section: state_tree.nest(flat[section]) for section in SECTIONS}


def _check_sections(tree):
    if not isinstance(tree, dict):
        raise TypeError(f"`set_state_tree` expects a dict state tree; received "
                        f"{type(tree).__name__}.")
    for key in tree:
        if key not in SECTIONS:
            raise ValueError(f"Unknown variable name: {key}. A state tree has the keys "
                             f"{list(SECTIONS)}.")


def _old_layout(tree):
    opt = tree.get(OPTIMIZER)
    return isinstance(opt, dict) and "slots" in opt and "iterations" in opt


def _resolve_all(layout, saved, model, where, complete=False):
    """{section: {saved path: our path}} for the saved {section: {path: shape}}; raises when
    model or optimizer entries do not fit (metrics load where they match), and with `complete`
    when a saved variables section lacks some of the model's variables."""
    mapping, unknown = layout.resolve(saved)
    lines = []
    for section, paths in saved.items():
        if section != METRICS:
            lines += [f"- in the checkpoint but not in the model: {section}/{p}"
                      for p in unknown[section]]
        for path, ours in mapping[section].items():
            want = tuple(np.shape(layout.current[section][ours]))
            if tuple(paths[path]) != want:
                lines.append(f"- {section}/{ours} is {list(want)} in the model but "
                             f"{list(paths[path])} in the checkpoint")
    for section in (TRAINABLE, NON_TRAINABLE):
        if complete and section in saved:
            found = set(mapping[section].values())
            lines += [f"- in the model but not in the checkpoint: {section}/{p}"
                      for p in layout.variables[section] if p not in found]
    if lines:
        raise ValueError(
            f"The state tree {where} does not fit model '{model.name}' (entries are matched "
            "by their Keras paths: layer, weight and optimizer names):\n" +
            "\n".join(lines[:20]) + "\nNothing was loaded (the model's weights are unchanged).")
    return mapping


def set_state_tree(model, tree):
    """Assign a state tree (from `get_state_tree`, Keras's, or an Orbax checkpoint) to the
    model: variables, optimizer variables (building the optimizer's state when it has none)
    and metric variables, each by its Keras path. Entries the tree leaves out keep their
    values; entries the model does not have are an error. Arrays keep their shardings."""
    _check_sections(tree)
    if _old_layout(tree):
        raise ValueError(_OLD_LAYOUT)
    _sync(model)
    layout = state_tree.Layout(model, fresh_optimizer=OPTIMIZER in tree)
    flat = {section: {p: v for p, v in state_tree.flatten(tree[section]).items()
                      if v is not None} for section in tree if isinstance(tree[section], dict)}
    mapping = _resolve_all(layout, {s: {p: np.shape(v) for p, v in f.items()}
                                    for s, f in flat.items()}, model, "given")
    layout.assign({section: {ours: flat[section][path] for path, ours in m.items()}
                   for section, m in mapping.items()})


_OLD_LAYOUT = ("This state tree is in the layout jkeras wrote before it followed Keras's "
               "(optimizer_variables with 'iterations' and 'slots'), which is no longer read. "
               "Load it with that jkeras version and save again.")


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
    """Restore the latest (or the given step's) state tree into `model`: weights, optimizer
    variables and metric variables, each array laid out where the model (or the current
    distribution) wants it. Model and optimizer entries must fit; metric entries load where
    the model has them."""
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by using "
                         "`build()`.")
    ocp = orbax_v1()
    step_dir = step_directory(filepath)
    meta = ocp.pytree_metadata(step_dir, checkpointable_name="pytree").metadata
    _check_sections(meta)
    if _old_layout(meta):
        raise ValueError(_OLD_LAYOUT)
    _sync(model)
    layout = state_tree.Layout(model, fresh_optimizer=OPTIMIZER in meta and getattr(
        model, "optimizer", None) is not None)
    saved = {section: {path: _meta_shape(leaf) for path, leaf in
                       state_tree.flatten(meta[section]).items()} for section in meta}
    mapping = _resolve_all(layout, saved, model, f"in the Orbax checkpoint {step_dir}",
                           complete=True)
    placed = _placed(layout)
    request = {section: _request(meta[section], "", mapping[section], placed[section])
               for section in meta}
    with ocp.Context():
        loaded = ocp.load_checkpointables(step_dir, {"pytree": request})["pytree"]
    values = {}
    for section, paths in mapping.items():
        flat = state_tree.flatten(loaded[section])
        values[section] = {ours: flat[path] for path, ours in paths.items()
                           if flat.get(path) is not None}
    layout.assign(values)


def _meta_shape(leaf):
    return tuple(getattr(leaf, "shape", np.shape(leaf)))


def _placed(layout):
    """The layout's current values laid out where restored arrays must go: the
    distribution's layout, else where the model's own arrays are."""
    variables = layout.model.get_variables()
    tree = {"params": variables["params"], "state": variables["state"]}
    if layout.view is not None:
        tree["opt_state"] = layout.view.state
    placed = distribution_lib.put_state(tree)
    return layout.values({"params": placed["params"], "state": placed["state"]},
                         placed.get("opt_state"))


def _request(node, prefix, mapping, placed):
    """What Orbax reads into, shaped as the saved tree: the target's shape, dtype and sharding
    for entries the model takes, None (not read) for the others."""
    if isinstance(node, dict):
        return {key: _request(value, f"{prefix}/{key}" if prefix else str(key), mapping, placed)
                for key, value in node.items()}
    ours = mapping.get(prefix)
    if ours is None:
        return None
    if not hasattr(node, "shape"):
        return node  # a Python scalar (Keras on TensorFlow writes them): read as written
    target = placed[ours]
    return jax.ShapeDtypeStruct(np.shape(target), target.dtype,
                                sharding=getattr(target, "sharding", None))


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

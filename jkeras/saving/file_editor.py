"""`keras.saving.KerasFileEditor`: inspect, edit and resave the weights of a `.keras` or
`.weights.h5` file (keras/src/saving/file_editor.py is the spec).

The editor holds `weights_dict`, the file's weights as nested dicts: one key per group of Keras's
layout (`layers`, `dense_1`, `optimizer`, ...) with each object's `vars` group folded into it, so
`weights_dict["layers"]["dense"]["0"]` is the kernel stored at `layers/dense/vars/0`. Edits change
that dict; `save` / `resave_weights` write it back in Keras's layout (a `.weights.h5` file that
`load_weights` of jkeras and of tf.keras read).

Printed reports (`summary`, `compare`) are Keras's, as plain text (Keras prints them through
`rich`). `compare` returns Keras's dict, with Keras's way of counting errors and matches.
Two differences from Keras 3.15, both where Keras loses data or refuses a valid name:
- An object that has both its own variables and children with variables (an RNN layer's `cell`,
  a wrapper's inner layer; a model's own variables at the top of the file) keeps all of them:
  Keras keeps only the object's own `vars` and drops its children (or drops the object when its
  own `vars` is empty), so a resaved file would lose them.
- A bare name (`"dense_1"` instead of `"layers/dense_1"`) is found when it occurs once; Keras's
  count adds up earlier counts and can call a unique name ambiguous.
"""
import io
import json
import math
import os
import zipfile

import h5py
import jax
import ml_dtypes
import numpy as np

from jkeras.core.layer import Layer
from jkeras.saving import keras_walk
from jkeras.saving.archive import CONFIG, METADATA, WEIGHTS
from jkeras.saving.atomic import atomic_write
from jkeras.saving.weights_h5 import _write_dataset, write_weights

_MAX_BYTES = 1 << 32  # Keras's limit on one dataset (4 GiB)
_NOT_A_DICT = ("Argument `weights` should be a dict where keys are weight names (usually '0', "
               "'1', etc.) and values are NumPy arrays. Received: type(weights)={}")


class KerasFileEditor:
    """Utility to inspect, edit, and resave Keras weights files.

    Args:
        filepath: The path to a local `.keras` or `.weights.h5` file to inspect and edit.

    Example:
        editor = KerasFileEditor("my_model.weights.h5")
        editor.summary()                            # the file's weights structure
        editor.delete_object("layers/dense_2")      # remove the weights of a layer
        editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
        editor.resave_weights("edited_model.weights.h5")
    """

    def __init__(self, filepath):
        self.filepath = filepath
        self.metadata = None
        self.config = None
        self.model = None
        path = os.fspath(filepath)
        if path.endswith(".keras"):
            with zipfile.ZipFile(path, "r") as zf:
                self.config = json.loads(zf.read(CONFIG))
                self.metadata = json.loads(zf.read(METADATA))
                with h5py.File(io.BytesIO(zf.read(WEIGHTS)), "r") as f:
                    self.weights_dict, self.object_metadata = _extract(f)
        elif path.endswith(".weights.h5"):
            with h5py.File(path, "r") as f:
                self.weights_dict, self.object_metadata = _extract(f)
        else:
            raise ValueError("Invalid filename: expected a `.keras` `.weights.h5` extension. "
                             f"Received: filepath={filepath}")
        print(f"Keras model file '{filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata['keras_version']} - "
                  f"date: {self.metadata['date_saved']}")

    # ---- inspecting ------------------------------------------------------------------------
    def summary(self):
        """Prints the weight structure of the opened file."""
        print("Weights structure")
        _print_structure(self.weights_dict, prefix="  ", first=[True])

    def compare(self, reference_model):
        """Compares the opened file to a reference model, printing every mismatch.

        Returns:
            Dict with the keys `'status'` (`'success'` or `'error'`), `'error_count'` (the
            mismatches found) and `'match_count'` (the matching weights found).
        """
        print("Running comparison")
        ref_spec = weight_spec(reference_model)
        checked = set()
        errors, matches = _compare(self.weights_dict, ref_spec, "", "saved file",
                                   "reference model", 0, 0, checked)
        more, _ = _compare(ref_spec, self.weights_dict, "", "reference model", "saved file",
                           0, 0, checked)
        errors += more
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print(f"Found {errors} error{'' if errors == 1 else 's'}: saved file is not "
                  "compatible with the reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors,
                "match_count": matches}

    # ---- editing -----------------------------------------------------------------------------
    def rename_object(self, object_name, new_name):
        """Rename an object in the file (e.g. a layer).

        Args:
            object_name: String, name or path of the object to rename (e.g. `"dense_2"` or
                `"layers/dense_2"`).
            new_name: String, new name of the object.
        """
        def rename(parent, key):
            parent[new_name] = parent.pop(key)

        self._edit(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Removes an object from the file (e.g. a layer), by name or path."""
        self._edit(lambda parent, key: parent.pop(key), object_name)

    def add_object(self, object_path, weights):
        """Add a new object to the file (e.g. a layer).

        Args:
            object_path: String, full path of the object to add (e.g. `"layers/dense_2"`).
            weights: Dict mapping weight names to weight values (arrays), e.g.
                `{"0": kernel_value, "1": bias_value}`.
        """
        if not isinstance(weights, dict):
            raise ValueError(_NOT_A_DICT.format(type(weights)))
        *parents, leaf = object_path.split("/")
        node = self.weights_dict
        for part in parents:
            if part not in node:
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            node = node[part]
        node[leaf] = weights

    def delete_weight(self, object_name, weight_name):
        """Removes a weight (e.g. `"0"`) from an existing object, given by name or path."""
        def delete(parent, key):
            if weight_name not in parent[key]:
                raise ValueError(f"Weight {weight_name} not found in object {object_name}. "
                                 f"Weights found: {list(parent[key].keys())}")
            parent[key].pop(weight_name)

        self._edit(delete, object_name)

    def add_weights(self, object_name, weights):
        """Add one or more new weights (a dict `{"2": value, ...}`) to an existing object,
        given by name or path."""
        if not isinstance(weights, dict):
            raise ValueError(_NOT_A_DICT.format(type(weights)))
        self._edit(lambda parent, key: parent[key].update(weights), object_name)

    def _edit(self, edit_fn, source_name, target_name=None):
        if target_name is not None and "/" in target_name:
            raise ValueError("Argument `target_name` should be a leaf name, not a full path "
                             f"name. Received: target_name='{target_name}'")
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            node = self.weights_dict
            for part in parents:
                if part not in node:
                    raise ValueError(f"Path '{source_name}' not found in model.")
                node = node[part]
            if leaf not in node:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit_fn(node, leaf)
            return
        holders = _holders(self.weights_dict, source_name)
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try "
                             "passing a complete path")
        if not holders:
            raise ValueError(f"Source name '{source_name}' does not appear in the model. Use "
                             "`editor.summary()` to list all objects.")
        edit_fn(holders[0], source_name)

    # ---- writing -----------------------------------------------------------------------------
    def save(self, filepath):
        """Save the edited weights file.

        Args:
            filepath: Path to save the file to. Must be a `.weights.h5` file.
        """
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError("Invalid `filepath` argument: expected a `.weights.h5` extension. "
                             f"Received: filepath={filepath}")
        with atomic_write(filepath) as tmp:
            with h5py.File(tmp, "w") as f:
                _write(self.weights_dict, f, "")

    def resave_weights(self, filepath):
        """Save the edited weights file (the same as `save`)."""
        self.save(filepath)


# ---- reading a file ----------------------------------------------------------------------------
def _extract(group, metadata=None, path=""):
    """(weights dict, {"/path": attrs}) of an open h5py group, each `vars` group folded into
    its object; with Keras's checks against links, external and oversized datasets."""
    metadata = {} if metadata is None else metadata
    if group.attrs:
        metadata[path] = dict(group.attrs)
    result = {}
    for key in group.keys():
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise ValueError(f"Not allowed: H5 file with {link.__name__}")
        value = group[key]
        if isinstance(value, h5py.Group):
            if key == "vars":  # the group's own variables: folded into it (at the top: the model)
                if len(value):
                    result.update(_extract(value, metadata, path)[0])
                continue
            child, _ = _extract(value, metadata, f"{path}/{key}")
            if child:
                result[key] = child
        elif isinstance(value, h5py.Dataset):
            result[key] = _read_dataset(value, f"{path}/{key}")
    return _own_first(result), metadata


def _own_first(result):
    """An object's own weights, then its children (Keras prints the weights of a group first)."""
    leaves = {k: v for k, v in result.items() if not isinstance(v, dict)}
    return {**leaves, **{k: v for k, v in result.items() if isinstance(v, dict)}}


def _read_dataset(ds, where):
    if ds.external:
        raise ValueError(f"Not allowed: H5 file Dataset with external links: {ds.external}")
    if ds.is_virtual:
        raise ValueError(f"Not allowed: H5 file with virtual Dataset at {where}")
    shape = ds.shape or ()
    if any(dim < 0 for dim in shape):
        raise ValueError("Malformed HDF5 dataset shape encountered in .keras file; negative "
                         "dimension detected.")
    if len(shape) > 64:
        raise ValueError("Malformed HDF5 dataset shape encountered in .keras file; tensor rank "
                         "exceeds safety limit.")
    size = math.prod(shape) * ds.dtype.itemsize
    if size > _MAX_BYTES:
        raise ValueError(f"HDF5 dataset too large to load safely ({size} bytes; limit is "
                         f"{_MAX_BYTES}).")
    if ds.attrs.get("dtype") == "bfloat16":
        return np.array(ds, dtype=ml_dtypes.bfloat16)
    return ds[()]


def _holders(tree, name):
    """The dicts (at any depth) that hold the key `name`."""
    found = [tree] if name in tree else []
    for value in tree.values():
        if isinstance(value, dict):
            found += _holders(value, name)
    return found


# ---- writing a file ----------------------------------------------------------------------------
def _write(tree, h5file, path):
    """Keras's layout: an object's weights in `<path>/vars` ("vars" at the top), children in
    their own groups; objects without weights get no group."""
    leaves = {k: v for k, v in tree.items() if not isinstance(v, dict)}
    if leaves:
        group = h5file.require_group(keras_walk.vars_path(path))
        for key, value in leaves.items():
            _write_dataset(group, key, np.asarray(value))
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            _write(value, h5file, f"{path}/{key}" if path else key)


# ---- the reference model -----------------------------------------------------------------------
def weight_spec(model):
    """What `model` would write, as the editor's nested dict of `jax.ShapeDtypeStruct`s: each
    object's weights (keys sorted as strings, as Keras's spec), then its children in Keras's
    walk order; objects without weights left out."""
    if not isinstance(model, Layer):
        raise ValueError("Expected object to be an instance of `KerasSaveable`, but got "
                         f"{model} of type {type(model)}")
    if not model.built:
        return {}  # nothing to save yet: Keras's spec of an unbuilt model is empty too
    order = [entry.path for entry in keras_walk.walk(model)]
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_weights(model, f)
        return _spec(f, "", order)


def _spec(group, path, order):
    spec = {}
    own = group["vars"] if "vars" in group else {}
    for key in sorted(own.keys()):
        spec[key] = jax.ShapeDtypeStruct(own[key].shape, own[key].dtype)
    children = [k for k in group.keys() if k != "vars"]
    for key in sorted(children, key=lambda k: (_rank(_join(path, k), order), k)):
        sub = _spec(group[key], _join(path, key), order)
        if sub:
            spec[key] = sub
    return spec


def _join(path, key):
    return f"{path}/{key}" if path else key


def _rank(path, order):
    """Where the first object at or below `path` comes in Keras's walk."""
    ranks = [i for i, p in enumerate(order) if p == path or p.startswith(path + "/")]
    return min(ranks) if ranks else len(order)


# ---- reports -----------------------------------------------------------------------------------
def _print_structure(tree, prefix, first):
    """Keras's tree: "> " for the very first line, then "├─ " / "└─ "."""
    for i, (key, value) in enumerate(tree.items()):
        last = i == len(tree) - 1
        if first[0]:
            first[0], connector = False, "> "
        else:
            connector = "└─ " if last else "├─ "
        if isinstance(value, dict):
            print(f"{prefix}{connector}{key}")
            _print_structure(value, prefix + ("    " if last else "│   "), first)
        elif hasattr(value, "shape"):
            print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
        else:
            print(f"{prefix}{connector}{key}: {value}")


def _compare(target, ref_spec, base_path, target_name, ref_name, errors, matches, checked):
    """Keras's comparison, its counting included (a nested object's counts are added to the
    counts passed into it)."""
    for key, ref in ref_spec.items():
        path = f"{base_path}/{key}"
        if path in checked:
            continue
        if key not in target:
            errors += 1
            checked.add(path)
            if isinstance(ref, dict):
                print(f"...Object {path} present in {ref_name}, missing from {target_name}")
                print(f"    In {ref_name}, {path} contains the following keys: "
                      f"{list(ref.keys())}")
            else:
                print(f"...Weight {path} present in {ref_name}, missing from {target_name}")
        elif isinstance(ref, dict) != isinstance(target[key], dict):
            errors += 1
            checked.add(path)
            kinds = ("an object", "a weight") if isinstance(ref, dict) else ("a weight",
                                                                             "an object")
            print(f"...{path} is {kinds[0]} in {ref_name} but {kinds[1]} in {target_name}")
        elif isinstance(ref, dict):
            more_errors, more_matches = _compare(target[key], ref, path, target_name, ref_name,
                                                 errors, matches, checked)
            errors += more_errors
            matches += more_matches
        elif tuple(target[key].shape) != tuple(ref.shape):
            errors += 1
            checked.add(path)
            print(f"...Weight shape mismatch for {path}\n    In {ref_name}: shape={ref.shape}\n"
                  f"    In {target_name}: shape={target[key].shape}")
        else:
            matches += 1
    return errors, matches

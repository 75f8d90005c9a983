"""Keras 3 `.weights.h5` files: `model.save_weights(path)` / `model.load_weights(path)`.

The layout is Keras's (keras/src/saving/saving_lib.py, H5IOStore): one group per saveable,
named by keras_walk.py, with datasets "0", "1", ... under `<path>/vars` and the attribute
`name`. Files written by tf.keras load here and the other way round.

`write_weights` / `read_weights` work on an open h5py File or Group (the `.keras` archive
uses them on its `model.weights.h5` member); `save_weights` / `load_weights` are the file-level
functions behind the Model methods.

Loading checks everything before it assigns anything: a file that does not fit the model
(a layer missing, a different count or shape of variables, weights the model has no place for)
raises one ValueError listing every mismatch, and the model keeps its weights. With
`skip_mismatch=True` the mismatching objects are skipped with a warning, as Keras does. As in
Keras, optimizer variables whose count differs from the optimizer's are skipped with a warning,
and the optimizer group is ignored when the model is not compiled.
Two choices differ from Keras on purpose: weights in the file that no part of the model reads
count as a mismatch (Keras ignores them silently), and loading into a compiled model whose
optimizer has no state yet first builds that state over the trainable weights (Keras would skip
the optimizer variables with a warning), so a resumed `fit` continues with the saved slots.
"""
import os
import warnings

import jax.numpy as jnp
import numpy as np

from jkeras.core.layer import Layer
from jkeras.distribution import current as distribution_lib
from jkeras.saving import keras_walk, optimizer_vars
from jkeras.saving.atomic import atomic_write

SUFFIX = ".weights.h5"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving or loading `.weights.h5` files requires the h5py package. "
                          "Install it with `pip install h5py`.") from None
    return h5py


def _check_built(model, doing):
    if not model.built:
        if doing == "saving":
            raise ValueError("You are saving a model that has not yet been built. Try building "
                             "the model first by calling it on some data or by using `build()`.")
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by using "
                         "`build()`.")


def _sync_from_fit(model):
    sync = getattr(model, "jax_state_sync", None)  # inside fit the loop holds the weights
    if sync is not None:
        sync()


# ---- writing -----------------------------------------------------------------------------------
def write_weights(model, h5group):
    """Write every variable of `model` (and its optimizer's) into an open h5py File/Group."""
    _check_built(model, "saving")
    _sync_from_fit(model)
    for entry in keras_walk.walk(model):
        group = h5group.create_group(keras_walk.vars_path(entry.path))
        group.attrs["name"] = entry.obj.name
        for i, value in enumerate(_arrays_to_save(model, entry.obj)):
            _write_dataset(group, str(i), value)
        for child, (name, arrays) in _child_arrays(model, entry.obj).items():
            sub = h5group.create_group(keras_walk.vars_path(f"{entry.path}/{child}"))
            sub.attrs["name"] = name
            for i, value in enumerate(arrays):
                _write_dataset(sub, str(i), value)
        for key, value in _named_arrays(entry.obj).items():
            _write_dataset(group, key, value)


def _arrays_to_save(model, obj):
    if isinstance(obj, Layer):
        return [np.asarray(v.value) for v in keras_walk.own_variables(obj)]
    view = optimizer_vars.current_view(model, obj)
    if view is None:  # not built: Keras has only iterations and learning_rate then
        return optimizer_vars.base_arrays(obj, obj.iterations)
    return view.keras_arrays(obj)


def _child_arrays(model, obj):
    """Groups Keras writes below an optimizer's own (a LossScaleOptimizer's inner optimizer)."""
    if isinstance(obj, Layer):
        return {}
    view = optimizer_vars.current_view(model, obj)
    return view.child_arrays(obj) if hasattr(view, "child_arrays") else {}


def _named_arrays(obj):
    """Datasets a layer keeps under its own names, as Keras's `save_own_variables` overrides do
    (the lookup layers' `idf_weights`)."""
    save = getattr(obj, "save_keras_store", None)
    return save() if save is not None else {}


def _write_dataset(group, key, value):
    if value.dtype.name == "bfloat16":  # h5py stores it opaque: Keras tags it to read it back
        group.create_dataset(key, data=value).attrs["dtype"] = "bfloat16"
    else:
        group[key] = value


def save_weights(model, filepath, overwrite=True):
    """Write `filepath` (ending in `.weights.h5`) atomically: a process killed mid-save leaves
    the previous file as it was."""
    path = os.fspath(filepath)
    if not path.endswith(SUFFIX):
        raise ValueError(f"The filename must end in `{SUFFIX}`. Received: filepath={path}")
    _check_built(model, "saving")
    if not overwrite and os.path.exists(path) and not _ask_to_overwrite(path):
        return
    h5py = _h5py()
    with atomic_write(path) as tmp:
        with h5py.File(tmp, "w") as f:
            write_weights(model, f)


def _ask_to_overwrite(path):
    answer = input(f"[WARNING] {path} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


# ---- reading -----------------------------------------------------------------------------------
def load_weights(model, filepath, skip_mismatch=False):
    """Load a `.weights.h5` file (Keras 3 layout, from jkeras or tf.keras) into `model`."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No weights file found at '{path}'.")
    _check_built(model, "loading")
    h5py = _h5py()
    if not h5py.is_hdf5(path):
        raise ValueError(f"'{path}' is not a valid HDF5 weights file: it is not HDF5 at all, "
                         "or its beginning is damaged. Nothing was loaded.")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"'{path}' is not a valid or complete HDF5 weights file (it may be "
                         f"truncated, e.g. by an interrupted copy): {e}. Nothing was "
                         "loaded.") from None
    with f:
        try:
            read_weights(model, f, skip_mismatch=skip_mismatch, source=path)
        except OSError as e:
            raise ValueError(f"'{path}' is not a valid or complete HDF5 weights file: reading "
                             f"it failed ({e}). Nothing was loaded.") from None


def read_weights(model, h5group, skip_mismatch=False, source=None):
    """Load from an open h5py File/Group. All-or-nothing unless `skip_mismatch`."""
    _check_built(model, "loading")
    _sync_from_fit(model)
    reader = _Reader(h5group)
    problems, assignments, optimizer_plans = [], [], []
    named = []
    for entry in keras_walk.walk(model):
        names = getattr(entry.obj, "keras_store_names", lambda: ())()
        stored = reader.datasets(entry.path, names)
        if names:
            named.append((entry, reader.named(entry.path, names)))
        if isinstance(entry.obj, Layer):
            problem = _match_layer(entry, stored, reader, assignments)
            if problem:
                problems.append(problem)
        else:
            _plan_optimizer(model, entry, stored, reader, problems, optimizer_plans)
    problems += _unused(reader)
    where = f"'{source}'" if source else "the weights file"
    if problems and not skip_mismatch:
        listing = "\n".join(f"- {p}" for p in problems)
        raise ValueError(
            f"The weights in {where} do not fit model '{model.name}': {len(problems)} "
            f"mismatch(es):\n{listing}\nNothing was loaded (the model's weights are unchanged). "
            "Pass `skip_mismatch=True` to load the matching layers and skip the others.")
    if problems:
        warnings.warn(f"Skipping {len(problems)} object(s) whose weights do not match {where} "
                      f"(skip_mismatch=True): " + "; ".join(problems), stacklevel=3)
    for var, value in assignments:
        var.assign(value)
    if assignments and distribution_lib.distribution() is not None:
        # Under a distribution (ModelParallel's layout map): each weight laid out at once.
        model.set_variables(distribution_lib.put_state(model.get_variables()))
    for entry, store in named:
        if store is not None:
            entry.obj.load_keras_store(store)
    for opt, view, frozen in optimizer_plans:
        optimizer_vars.install(model, opt, view, frozen)


def _describe(entry):
    obj = entry.obj
    where = keras_walk.vars_path(entry.path)
    return f"{where} ({type(obj).__name__} '{obj.name}')"


def _match_layer(entry, stored, reader, assignments):
    """Queue (variable, value) pairs for a layer, or return what does not match."""
    expected = keras_walk.own_variables(entry.obj)
    if len(stored) != len(expected):
        names = [f"{v.name}{list(v.shape)}" for v in expected]
        found = [list(ds.shape) for ds in stored]
        missing = " (not in the file)" if not stored and expected else ""
        return (f"{_describe(entry)}: the model has {len(expected)} variable(s) {names}, the "
                f"file has {len(stored)} {found}{missing}")
    shape_errors = [f"'{v.name}' is {list(v.shape)} in the model but {list(ds.shape)} in the file"
                    for v, ds in zip(expected, stored) if tuple(ds.shape) != v.shape]
    if shape_errors:
        return f"{_describe(entry)}: " + ", ".join(shape_errors)
    pending = []
    for var, ds in zip(expected, stored):
        value = reader.read(ds)
        try:
            pending.append((var, jnp.asarray(value, var.dtype)))
        except (TypeError, ValueError) as e:
            return f"{_describe(entry)}: '{var.name}' cannot be read as {var.dtype.name} ({e})"
    assignments.extend(pending)
    return None


def _plan_optimizer(model, entry, stored, reader, problems, plans):
    opt = entry.obj
    view, frozen = optimizer_vars.current_view(model, opt), None
    if view is None and opt is getattr(model, "optimizer", None) and stored:
        view, frozen = optimizer_vars.fresh_view(model, opt)  # Keras: optimizer.build(...)
    expected = view.keras_arrays(opt) if view is not None else \
        optimizer_vars.base_arrays(opt, 0)
    base = len(optimizer_vars.base_arrays(opt, 0))
    values = None
    if view is not None and len(stored) == len(expected):
        values = stored
    elif view is not None and frozen is not None and len(stored) == base:
        values = stored + expected[base:]  # saved before it was built: fresh slots
    if values is None:
        warnings.warn(f"Skipping variable loading for optimizer '{opt.name}', because it has "
                      f"{len(expected)} variables whereas the saved optimizer has {len(stored)} "
                      "variables.", stacklevel=4)
        return
    bad = [f"variable {i} is {list(np.shape(e))} for the optimizer but {list(v.shape)} in the file"
           for i, (e, v) in enumerate(zip(expected, values)) if tuple(np.shape(e)) != v.shape]
    if bad:
        problems.append(f"{_describe(entry)}: " + ", ".join(bad))
        return
    arrays = [reader.read(v) if not isinstance(v, np.ndarray) else v for v in values]
    plans.append((opt, view.with_keras_arrays(opt, arrays), frozen))


def _unused(reader):
    """Weights in the file that no part of the model reads (a different architecture).
    A top-level `optimizer` group is exempt: it is there whenever the saved model was compiled."""
    unused = [p for p in reader.unread_groups() if p.split("/")[0] != "optimizer"]
    if not unused:
        return []
    return [f"the file has weights the model has no place for: {', '.join(unused)}"]


class _Reader:
    """Safe access to a weights file (as Keras's safe_get_h5_group / safe_get_h5_dataset: no
    soft or external links, no external or virtual datasets); remembers what was read."""

    def __init__(self, root):
        self.h5py = _h5py()
        self.root = root
        self.read_groups = set()
        self.legacy = "_layer_checkpoint_dependencies" in root  # Keras 2.13 files

    def datasets(self, path, named=()):
        """The datasets "0", "1", ... of an entry's `vars` group ([] when there is none);
        `named`: other dataset names the entry keeps there (see `named`)."""
        where = keras_walk.vars_path(path)
        group = self._group(where)
        if group is None and self.legacy and path:
            group = self._group(where.replace("layers", "_layer_checkpoint_dependencies"))
        if group is None:
            return []
        self.read_groups.add(group.name)
        keys = [k for k in group.keys() if k not in named]
        names = [str(i) for i in range(len(keys))]
        if sorted(keys) != sorted(names):
            raise ValueError(f"Invalid weights file: the group '{where}' holds {sorted(keys)}; "
                             f"Keras's layout names its datasets {names}.")
        return [self._dataset(group, k, where) for k in names]

    def named(self, path, names):
        """{name: array} of an entry's named datasets (None when its group lacks one)."""
        where = keras_walk.vars_path(path)
        group = self._group(where)
        if group is None or any(n not in group for n in names):
            return None
        return {n: self.read(self._dataset(group, n, where)) for n in names}

    def _group(self, path):
        node = self.root
        for part in path.split("/"):
            if part not in node:
                return None
            self._check_link(node, part, path)
            node = node[part]
            if not isinstance(node, self.h5py.Group):
                raise ValueError(f"Invalid weights file: '{path}' should be a group, but "
                                 f"'{part}' is a {type(node).__name__}.")
        return node

    def _check_link(self, parent, name, path):
        link = parent.get(name, getlink=True)
        if isinstance(link, (self.h5py.SoftLink, self.h5py.ExternalLink)):
            raise ValueError(f"Not allowed: H5 file with {type(link).__name__} at '{path}'.")

    def _dataset(self, group, key, where):
        self._check_link(group, key, f"{where}/{key}")
        ds = group[key]
        if not isinstance(ds, self.h5py.Dataset):
            raise ValueError(f"Invalid weights file: '{where}/{key}' should be a dataset, "
                             f"found a {type(ds).__name__}.")
        if ds.external or ds.is_virtual:
            raise ValueError(f"Not allowed: H5 file with an external or virtual dataset at "
                             f"'{where}/{key}'.")
        return ds

    def read(self, ds):
        if ds.attrs.get("dtype") == "bfloat16":
            import ml_dtypes
            return np.array(ds, dtype=ml_dtypes.bfloat16)
        return np.asarray(ds[()])

    def unread_groups(self):
        """Groups holding datasets that no entry read, relative to the root."""
        found = set()

        def visit(name, obj):
            if isinstance(obj, self.h5py.Dataset) and obj.parent.name not in self.read_groups:
                found.add(obj.parent.name[len(self.root.name):].strip("/"))
        self.root.visititems(visit)
        return sorted(found)

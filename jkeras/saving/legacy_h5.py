"""The legacy Keras 2 HDF5 format (`.h5` / `.hdf5`), as Keras 3 reads and writes it
(keras/src/legacy/saving/legacy_h5_format.py).

A model file holds the attributes `model_config` (JSON), `training_config` (JSON, when
compiled), `backend`, `keras_version`; a group `model_weights` with the attribute `layer_names`
and one group per layer whose attribute `weight_names` lists its datasets (the layer's
trainable then non-trainable weights); and, when compiled, `optimizer_weights` (the optimizer's
variables in Keras order). A weights-only file (Keras 2's `save_weights("w.h5")`, and Keras's
ImageNet files) is the `model_weights` group at the root.

Loading matches layers with weights in order (topological) or, with `by_name=True`, by name.
Unlike Keras, nothing is assigned until every layer has been checked: a file that does not fit
raises and leaves the model as it was. `skip_mismatch=True` skips layers whose weight shapes
(or, by name, counts) differ, with a warning, as Keras does.
Model configs written by Keras 3 (tf.keras 2.16+) and Keras 2's node format
(`inbound_nodes: [[["dense", 0, 0, {}]]]`) are both read.
"""
import json
import logging
import os
import warnings

import numpy as np

from jkeras.saving import compile_config, optimizer_vars, serialization
from jkeras.saving.atomic import atomic_write

KERAS_VERSION = "3.15.1"  # the Keras release whose legacy layout this follows
HDF5_OBJECT_HEADER_LIMIT = 64512
_MODEL_CLASSES = ("Functional", "Model", "Sequential")


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Loading HDF5 files requires the h5py package. You can install it "
                          "via `pip install h5py`") from None
    return h5py


def is_legacy_path(filepath):
    path = os.fspath(filepath) if isinstance(filepath, os.PathLike) else str(filepath)
    return path.endswith((".h5", ".hdf5")) and not path.endswith(".weights.h5")


def legacy_weights(layer):
    """Keras 2's order: trainable weights, then non-trainable ones."""
    return layer.trainable_weights + layer.non_trainable_weights


def _top_level_weights(model):
    own = list(model._own_weights)
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


# ---- attributes --------------------------------------------------------------------------------
def save_attributes(group, name, data):
    """A list of strings as an attribute, split into `name0`, `name1`, ... when it would exceed
    HDF5's object header limit (as Keras)."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError("The following attributes cannot be saved to HDF5 file because they "
                           f"are larger than {HDF5_OBJECT_HEADER_LIMIT} bytes: {bad}")
    array = np.asarray(data)
    chunks, pieces = 1, [array]
    while any(p.nbytes > HDF5_OBJECT_HEADER_LIMIT for p in pieces):
        chunks += 1
        pieces = np.array_split(array, chunks)
    if chunks > 1:
        for i, piece in enumerate(pieces):
            group.attrs[f"{name}{i}"] = piece
    else:
        group.attrs[name] = array


def load_attributes(group, name):
    def text(n):
        return n.decode("utf8") if hasattr(n, "decode") else str(n)
    if name in group.attrs:
        return [text(n) for n in group.attrs[name]]
    data, i = [], 0
    while f"{name}{i}" in group.attrs:
        data.extend(text(n) for n in group.attrs[f"{name}{i}"])
        i += 1
    return data


def _safe_group(parent, name, where):
    h5py = _h5py()
    link = parent.get(name, getlink=True)
    if link is None:
        raise ValueError(f"Invalid legacy H5 file {where}: the group '{name}' listed in it is "
                         "missing.")
    if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
        raise ValueError(f"Not allowed: H5 file with {type(link).__name__} at '{name}'.")
    node = parent[name]
    if not isinstance(node, h5py.Group):
        raise ValueError(f"Invalid legacy H5 file {where}: '{name}' should be a group.")
    return node


def _read_subset(group, where):
    """The arrays named by a group's `weight_names`, in that order."""
    h5py = _h5py()
    out = []
    for name in load_attributes(group, "weight_names"):
        node = group
        for part in name.split("/"):
            link = node.get(part, getlink=True)
            if link is None:
                raise ValueError(f"Invalid legacy H5 file {where}: weight '{name}' of group "
                                 f"'{group.name}' is missing.")
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                raise ValueError(f"Not allowed: H5 file with {type(link).__name__} at '{name}'.")
            node = node[part]
        if not isinstance(node, h5py.Dataset) or node.external or node.is_virtual:
            raise ValueError(f"Invalid legacy H5 file {where}: '{name}' in group "
                             f"'{group.name}' is not a plain dataset.")
        out.append(np.asarray(node[()]))
    return out


# ---- loading weights ---------------------------------------------------------------------------
def load_weights(model, filepath, skip_mismatch=False, by_name=False):
    """`model.load_weights("x.h5")`: a legacy weights file or the weights of a model file."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No weights file found at '{path}'.")
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by using "
                         "`build()`.")
    h5py = _h5py()
    if not h5py.is_hdf5(path):
        raise ValueError(f"'{path}' is not a valid HDF5 weights file. Nothing was loaded.")
    with h5py.File(path, "r") as f:
        group = f
        if "layer_names" not in f.attrs and "model_weights" in f:
            group = _safe_group(f, "model_weights", f"'{path}'")
        load_weights_from_group(group, model, skip_mismatch=skip_mismatch, by_name=by_name,
                                where=f"'{path}'")


def load_weights_from_group(group, model, skip_mismatch=False, by_name=False, where="file"):
    """Check every layer against the group, then assign (all or nothing)."""
    if not load_attributes(group, "layer_names") and "layer_names" not in group.attrs:
        raise ValueError(f"{where} is not a Keras H5 weights file: it has no 'layer_names' "
                         "attribute (a Keras 3 weights file must end in `.weights.h5`).")
    plan = (_plan_by_name if by_name else _plan_topological)(group, model, skip_mismatch, where)
    if "top_level_model_weights" in group:
        plan += _plan_top_level(group, model, skip_mismatch, by_name, where)
    for var, value in plan:
        var.assign(value)


def _check_shapes(variables, values, name, skip_mismatch):
    """(variable, value) pairs, or [] with a warning (skip_mismatch) / a ValueError."""
    pairs = []
    for var, value in zip(variables, values):
        if tuple(var.shape) != tuple(value.shape):
            message = (f"Shape mismatch in {name} for weight {var.path}. Weight expects shape "
                       f"{tuple(var.shape)}. Received saved weight with shape "
                       f"{tuple(value.shape)}")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for {name}: {message}", stacklevel=5)
                continue
            raise ValueError(message + ". Nothing was loaded.")
        pairs.append((var, value))
    return pairs


def _plan_topological(group, model, skip_mismatch, where):
    layers = [layer for layer in model.layers if legacy_weights(layer)]
    names = [n for n in load_attributes(group, "layer_names")
             if load_attributes(_safe_group(group, n, where), "weight_names")]
    if len(names) != len(layers):
        raise ValueError("Layer count mismatch when loading weights from file. Model expected "
                         f"{len(layers)} layers, found {len(names)} saved layers. (Layers with "
                         f"weights in the model: {[layer.name for layer in layers]}; in "
                         f"{where}: {names}.) Nothing was loaded.")
    plan = []
    for k, (name, layer) in enumerate(zip(names, layers)):
        variables = legacy_weights(layer)
        values = _read_subset(_safe_group(group, name, where), where)
        if len(values) != len(variables):
            raise ValueError(f"Weight count mismatch for layer #{k} (named {layer.name} in the "
                             f"current model, {name} in the save file). Layer expects "
                             f"{len(variables)} weight(s). Received {len(values)} saved "
                             "weight(s). Nothing was loaded.")
        plan += _check_shapes(variables, values, f"layer #{k} (named {layer.name})",
                              skip_mismatch)
    return plan


def _plan_by_name(group, model, skip_mismatch, where):
    index = {}
    for layer in model.layers:
        index.setdefault(layer.name, []).append(layer)
    plan = []
    for k, name in enumerate(load_attributes(group, "layer_names")):
        if name not in index:
            continue
        values = _read_subset(_safe_group(group, name, where), where)
        for layer in index[name]:
            variables = legacy_weights(layer)
            if len(values) != len(variables):
                message = (f"Weight count mismatch for layer #{k} (named {layer.name}). Layer "
                           f"expects {len(variables)} weight(s). Received {len(values)} saved "
                           "weight(s)")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading of weights for layer #{k} (named "
                                  f"{layer.name}) due to mismatch in number of weights. "
                                  + message, stacklevel=4)
                    continue
                raise ValueError(message + ". Nothing was loaded.")
            plan += _check_shapes(variables, values, f"layer #{k} (named {layer.name})",
                                  skip_mismatch)
    return plan


def _plan_top_level(group, model, skip_mismatch, by_name, where):
    variables = _top_level_weights(model)
    values = _read_subset(_safe_group(group, "top_level_model_weights", where), where)
    if len(values) != len(variables):
        message = ("Weight count mismatch for top-level weights when loading weights from "
                   f"file. Model expects {len(variables)} top-level weight(s). Received "
                   f"{len(values)} saved top-level weight(s)")
        if by_name and skip_mismatch:
            warnings.warn(message, stacklevel=4)
            return []
        raise ValueError(message + ". Nothing was loaded.")
    return _check_shapes(variables, values, "top-level model", skip_mismatch)


# ---- writing -----------------------------------------------------------------------------------
def save_weights_to_group(group, model):
    """Keras's `save_weights_to_hdf5_group`: layer_names, one group per layer, sorted."""
    _sync(model)
    save_attributes(group, "layer_names", [layer.name.encode("utf8") for layer in model.layers])
    group.attrs["backend"] = b"jax"
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(model.layers, key=lambda layer: layer.name):
        _save_subset(group.create_group(layer.name), legacy_weights(layer))
    _save_subset(group.create_group("top_level_model_weights"), _top_level_weights(model))


def _save_subset(group, variables):
    names = [v.path.encode("utf8") for v in variables]
    if len(set(names)) != len(names):  # a layer whose weights share a name: keep them apart
        names = [f"{v.path}_{i}".encode("utf8") for i, v in enumerate(variables)]
    save_attributes(group, "weight_names", names)
    for name, var in zip(names, variables):
        value = np.asarray(var.value)
        group.create_dataset(name.decode("utf8"), data=value)


def _sync(model):
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None:
        sync()


def save_weights(model, filepath, overwrite=True):
    """Write a Keras 2 weights-only `.h5` file (the layout of Keras's ImageNet files), which
    tf.keras's `load_weights` reads. Keras 3's `model.save_weights` accepts only
    `.weights.h5`; this function is jkeras's way to write the older layout."""
    path = os.fspath(filepath)
    if not path.endswith((".h5", ".hdf5")) or path.endswith(".weights.h5"):
        raise ValueError("A legacy weights file must end in `.h5` or `.hdf5` (not "
                         f"`.weights.h5`, which is Keras 3's format). Received: filepath={path}")
    _check_writable(model, path, overwrite)
    with atomic_write(path) as tmp:
        with _h5py().File(tmp, "w") as f:
            save_weights_to_group(f, model)


def _check_writable(model, path, overwrite):
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"File {path} already exists and overwrite=False; jkeras never "
                         "prompts. Pass overwrite=True to replace it.")


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """`model.save("m.h5")`: config, weights and (compiled) optimizer in the legacy layout."""
    path = os.fspath(filepath)
    _check_writable(model, path, overwrite)
    logging.getLogger("jkeras").warning(
        "You are saving your model as an HDF5 file via `model.save()` or "
        "`jkeras.saving.save_model(model)`. This file format is considered legacy. We "
        "recommend using instead the native Keras format, e.g. `model.save('my_model.keras')`.")
    config = _legacy_model_config(serialization.serialize_keras_object(model))
    training = _training_config(model) if include_optimizer else None
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with atomic_write(path) as tmp:
        with _h5py().File(tmp, "w") as f:
            f.attrs["backend"] = "jax"
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            if training:
                f.attrs["training_config"] = json.dumps(training).encode("utf8")
            save_weights_to_group(f.create_group("model_weights"), model)
            if training:
                _save_optimizer(f, model)


def _legacy_model_config(config):
    """Keras 3's legacy writer: model and layer entries without module/registered_name/
    build_config (nested objects such as initializers keep theirs)."""
    out = {"class_name": config["class_name"], "config": dict(config["config"])}
    layers = out["config"].get("layers")
    if isinstance(layers, list):
        out["config"]["layers"] = [_legacy_layer_entry(entry) for entry in layers]
    return out


def _legacy_layer_entry(entry):
    keep = {k: v for k, v in entry.items()
            if k not in ("module", "registered_name", "build_config", "compile_config")}
    if entry.get("class_name") in _MODEL_CLASSES:
        keep.update(_legacy_model_config(entry))
    return keep


def _training_config(model):
    cc = compile_config.serialize_compile_config(model)
    if not cc:
        return None
    opt = cc.get("optimizer") or {}
    return {"loss": cc.get("loss"), "loss_weights": cc.get("loss_weights"),
            "metrics": cc.get("metrics"), "weighted_metrics": cc.get("weighted_metrics"),
            "run_eagerly": cc.get("run_eagerly", False),
            "steps_per_execution": cc.get("steps_per_execution", 1),
            "jit_compile": cc.get("jit_compile", False),
            "optimizer_config": {"class_name": opt.get("class_name"),
                                 "config": opt.get("config")}}


def _save_optimizer(f, model):
    opt = model.optimizer
    view = optimizer_vars.current_view(model, opt)
    arrays = view.keras_arrays(opt) if view is not None else optimizer_vars.base_arrays(opt, 0)
    names = [f"{opt.name}/iteration"]
    if len(optimizer_vars.base_arrays(opt, 0)) > 1:
        names.append(f"{opt.name}/learning_rate")
    names += [f"{opt.name}/variable_{i}" for i in range(len(arrays) - len(names))]
    group = f.create_group("optimizer_weights")
    save_attributes(group, "weight_names", [n.encode("utf8") for n in names])
    for name, value in zip(names, arrays):
        group.create_dataset(name, data=np.asarray(value))


# ---- loading models ----------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A jkeras model from a legacy `.h5` model file (tf.keras's `model.save("m.h5")`)."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                         "accessible `.h5` file.")
    h5py = _h5py()
    if not h5py.is_hdf5(path):
        raise ValueError(f"File {path} is not a valid HDF5 file (truncated or corrupted?).")
    with h5py.File(path, "r") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"No model config found in the file at {path}. (A weights-only "
                             "file loads with `model.load_weights(path)` into a model you "
                             "build.)")
        config = _modern_model_config(json.loads(_text(raw)))
        model = serialization.object_from_file_config(config, path, custom_objects, safe_mode,
                                                      errors=(ValueError, TypeError))
        if not model.built:
            raise ValueError(f"The model in {path} could not be built from its config (no "
                             "input shape), so its weights cannot be loaded.")
        load_weights_from_group(_safe_group(f, "model_weights", path), model,
                                where=f"'{path}'")
        training = f.attrs.get("training_config")
        if compile and training is not None:
            _compile_from_training_config(model, json.loads(_text(training)), custom_objects)
            if "optimizer_weights" in f:
                _load_optimizer(model, _safe_group(f, "optimizer_weights", path), path)
        elif compile:
            logging.getLogger("jkeras").warning(
                "No training configuration found in the save file, so the model was *not* "
                "compiled. Compile it manually.")
    return model


def _text(raw):
    return raw.decode("utf-8") if hasattr(raw, "decode") else str(raw)


def _compile_from_training_config(model, training, custom_objects):
    opt = training.get("optimizer_config")
    config = {k: training.get(k) for k in ("loss", "loss_weights", "metrics",
                                            "weighted_metrics")}
    if opt:
        opt = dict(opt)
        if opt.get("class_name") in ("Custom>Adam", "Custom>SGD", "Custom>RMSprop"):
            opt["class_name"] = opt["class_name"].split(">")[1]
        opt.setdefault("module", "keras.optimizers")
        config["optimizer"] = opt
    config["loss"] = _with_module(config["loss"], "keras.losses")
    for key in ("metrics", "weighted_metrics"):
        config[key] = _with_module(config[key], "keras.metrics")
    model.compile(**compile_config.compile_arguments(config, custom_objects))


def _load_optimizer(model, group, path):
    opt = model.optimizer
    values = _read_subset(group, f"'{path}'")
    view, frozen = optimizer_vars.fresh_view(model, opt)
    expected = view.keras_arrays(opt)
    if len(values) != len(expected) or any(
            tuple(np.shape(a)) != tuple(np.shape(b)) for a, b in zip(values, expected)):
        logging.getLogger("jkeras").warning(
            "Error in loading the saved optimizer state. As a result, your model is starting "
            "with a freshly initialized optimizer.")
        return
    optimizer_vars.install(model, opt, view.with_keras_arrays(opt, values), frozen)


# ---- Keras 2 configs -> Keras 3 configs ----------------------------------------------------------
def _modern_model_config(config):
    """Fill in what the legacy writer leaves out (modules) and convert Keras 2's node lists."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("The model_config in this file is not a Keras model config.")
    out = dict(config)
    if out["class_name"] == "Model":
        out["class_name"] = "Functional"
    out.setdefault("module", "keras")
    inner = dict(out.get("config") or {})
    if isinstance(inner.get("layers"), list):
        inner["layers"] = [_modern_layer(entry) for entry in inner["layers"]]
    out["config"] = inner
    return out


def _modern_layer(entry):
    entry = dict(entry)
    if entry.get("class_name") in _MODEL_CLASSES:
        nodes = entry.get("inbound_nodes")
        entry.update(_modern_model_config(entry))
        if nodes is not None:
            entry["inbound_nodes"] = nodes
    else:
        entry.setdefault("module", "keras.layers")
    if "config" in entry and isinstance(entry["config"], dict):
        entry["config"] = _with_module(entry["config"], None)
    nodes = entry.get("inbound_nodes")
    if isinstance(nodes, list):
        entry["inbound_nodes"] = [_modern_node(n) if isinstance(n, list) else n for n in nodes]
    return entry


def _modern_node(node):
    """Keras 2's [["layer", node_index, tensor_index, kwargs], ...] -> {"args", "kwargs"}."""
    tensors = [{"class_name": "__keras_tensor__",
                "config": {"shape": None, "dtype": None, "keras_history": list(item[:3])}}
               for item in node]
    kwargs = node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {"args": [tensors[0]] if len(tensors) == 1 else [tensors], "kwargs": dict(kwargs)}


def _with_module(obj, module):
    """Keras 2 nested objects ({"class_name", "config"} without "module"): the module their
    key implies (initializers, regularizers, constraints)."""
    if isinstance(obj, list):
        return [_with_module(x, module) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        family = module
        if isinstance(key, str) and key.endswith("_initializer"):
            family = "keras.initializers"
        elif isinstance(key, str) and key.endswith("_regularizer"):
            family = "keras.regularizers"
        elif isinstance(key, str) and key.endswith("_constraint"):
            family = "keras.constraints"
        elif key == "dtype":
            family = "keras"
        out[key] = _with_module(value, family)
    if "class_name" in out and "config" in out and "module" not in out and module:
        out["module"] = module
    return out

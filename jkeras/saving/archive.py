"""`model.save("m.keras")` / `load_model("m.keras")`: Keras 3's `.keras` format.

A `.keras` file is a zip of three members, as Keras's saving_lib writes them:
  config.json       {"module", "class_name", "config", "registered_name", "build_config",
                     "compile_config"} of the model (serialization.py, model_config.py)
  metadata.json     {"keras_version", "date_saved"}
  model.weights.h5  the weights (and optimizer variables) laid out as Keras does (weights_h5.py)
  assets/...        files objects write with `save_assets` (the lookup layers' vocabulary.txt;
                    assets.py), at their weights-group paths
`zipped=False` writes the same files into a directory. Files written by tf.keras load
here and ours load in tf.keras. Loading never runs code from the file: Python lambdas stay
refused unless `safe_mode=False`, as in Keras.
"""
import datetime
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib

import h5py

from jkeras.layers.preprocessing.feature_space import FeatureSpace
from jkeras.saving import assets, legacy_h5, orbax_io

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
MEMBERS = (CONFIG, METADATA, WEIGHTS)
KERAS_FORMAT_VERSION = "3.15.1"  # the Keras release whose .keras layout this follows


# ---- saving ----------------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save `model` as a `.keras` zip (or, with `zipped=False`, a directory of its members)."""
    include_optimizer = kwargs.pop("include_optimizer", True)  # .h5 only; .keras always has it
    if kwargs.pop("save_format", None):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                         "this argument and pass a file path with a `.keras` extension.")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    path = os.fspath(filepath)
    zipped = True if zipped is None else bool(zipped)
    if zipped and path.endswith((".h5", ".hdf5")):
        return legacy_h5.save_model(model, path, overwrite=overwrite,
                                    include_optimizer=include_optimizer)
    if zipped and not path.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add a `.keras` extension for the "
            "native Keras format (`model.save('model.keras')`), or pass `zipped=False` to "
            "write the same files into a directory. For the weights alone, use "
            f"`model.save_weights('model.weights.h5')`. Received: filepath={path}.")
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"File {path} already exists and overwrite=False; jkeras never prompts. "
                         "Pass overwrite=True to replace it.")
    members = _members_of(model)
    if not zipped:
        _write_directory(path, members)
        return
    from jkeras.saving.atomic import atomic_write
    with atomic_write(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in MEMBERS + tuple(sorted(n for n in members if n not in MEMBERS)):
                zf.writestr(name, members[name])


def _write_directory(path, members):
    """The unzipped layout: a fresh directory swapped in for the old one by renames."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"Cannot save to '{path}': the folder '{folder}' does not exist.")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"Cannot save an unzipped model to '{path}': a file has that name.")
    tmp = tempfile.mkdtemp(dir=folder, prefix=f".{os.path.basename(path)}.")
    try:
        for name, data in members.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, name)), exist_ok=True)
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(dir=folder, prefix=f".{os.path.basename(path)}.old.")
            os.rmdir(old)
            os.replace(path, old)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _stem(path):
    return path.rsplit(".", 1)[0]


def _members_of(model):
    from jkeras.models.model import Model
    from jkeras.saving import serialization
    from jkeras.saving.weights_h5 import write_weights
    if not isinstance(model, (Model, FeatureSpace)):
        raise TypeError(f"save_model() expects a jkeras Model. Received: {model!r} "
                        f"of type {type(model).__name__}")
    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no weights to "
                         "save. Build it first: call it on data, call `model.build(shape)`, or "
                         "give it an `Input`.")
    config = serialization.serialize_keras_object(model)
    config["compile_config"] = config.get("compile_config") or {}
    metadata = {"keras_version": KERAS_FORMAT_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "jkeras_version": _jkeras_version()}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        write_weights(model, h5)
    return {CONFIG: json.dumps(config).encode("utf-8"),
            METADATA: json.dumps(metadata).encode("utf-8"),
            WEIGHTS: buffer.getvalue(), **assets.collect(model)}


def _jkeras_version():
    from importlib import metadata
    try:
        return metadata.version("jkeras")
    except metadata.PackageNotFoundError:
        return None


# ---- loading ---------------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A jkeras model from a `.keras` file written by jkeras or by (tf.)keras 3."""
    from jkeras.models.model import Model
    from jkeras.saving import serialization
    from jkeras.saving.weights_h5 import read_weights
    path = os.fspath(filepath)
    if orbax_io.is_orbax_checkpoint(path):  # an OrbaxCheckpoint directory
        return orbax_io.load_model(path, custom_objects=custom_objects, compile=compile,
                                   safe_mode=safe_mode)
    if path.endswith((".h5", ".hdf5")) and not os.path.isdir(path):
        return legacy_h5.load_model(path, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    members = _read_members(path)
    config = _parse_json(members[CONFIG], CONFIG, path)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{CONFIG} in {path} is not a Keras model config (it has no "
                         "'class_name').")
    if not compile:
        config["compile_config"] = None
    _refuse_string_inputs(config, path)
    model = serialization.object_from_file_config(config, path, custom_objects, safe_mode)
    if not isinstance(model, (Model, FeatureSpace)):
        raise ValueError(f"{path} describes a {type(model).__name__}, not a model; "
                         "load_model() reads files written by `model.save()`.")
    if not model.built:
        raise ValueError(
            f"The model in {path} ({type(model).__name__}) could not be built from its config "
            "(no build_config / input shape), so its weights cannot be loaded. Give the class "
            "a `build_from_config()` or save it after it was called on data.")
    try:
        with h5py.File(io.BytesIO(members[WEIGHTS]), "r") as h5:
            read_weights(model, h5)
    except OSError as e:
        raise ValueError(f"{WEIGHTS} in {path} is not a readable HDF5 file (truncated or "
                         f"corrupted?): {e}") from None
    except ValueError as e:
        raise ValueError(f"The weights in {path} do not fit the model it describes: {e}") \
            from None
    assets.restore(model, {n: b for n, b in members.items() if n.startswith(assets.PREFIX)}, path)
    return model


def _refuse_string_inputs(config, path):
    """A model whose graph starts from string inputs (TextVectorization / StringLookup inside
    a tf.keras model) cannot be a jkeras model: say so before deserializing."""
    def inputs(node):
        if isinstance(node, dict):
            if node.get("class_name") == "InputLayer" and isinstance(node.get("config"), dict) \
                    and node["config"].get("dtype") == "string":
                yield node["config"].get("name")
            for value in node.values():
                yield from inputs(value)
        elif isinstance(node, list):
            for value in node:
                yield from inputs(value)
    names = list(inputs(config))
    if names:
        raise ValueError(
            f"The model in {path} takes string inputs ({', '.join(map(str, names))}: dtype "
            "string), e.g. a TextVectorization or StringLookup inside the model. jkeras runs "
            "string layers on the host, outside models: apply the layer to the data first "
            "(`layer(raw)`), and save the part of the model after it; a model holding the "
            "adapted layer as an attribute keeps its vocabulary in the file.")


def _read_members(path):
    """{member name: bytes} of a `.keras` zip or directory, with Keras's path errors."""
    if os.path.isdir(path):
        return _directory_members(path)
    if not os.path.exists(path):
        if path.endswith(".keras"):
            raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                             "accessible `.keras` zip file.")
        raise ValueError(f"File format not supported: filepath={path}. Keras 3 only supports "
                         "V3 `.keras` files and legacy H5 format files (`.h5` extension).")
    if not path.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={path}. Keras 3 only supports "
                         "V3 `.keras` files and legacy H5 format files (`.h5` extension).")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"File {path} is not a valid `.keras` file: it is not a zip archive "
                         "(or it is truncated). A `.keras` file is the zip `model.save()` "
                         "writes.")
    try:
        with zipfile.ZipFile(path, "r") as zf:
            names = zf.namelist()
            _check_member_names(names, path)
            return {name: zf.read(name) for name in names
                    if name in MEMBERS or _is_asset(name)}
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as e:
        raise ValueError(f"File {path} is a damaged `.keras` zip archive (truncated or "
                         f"corrupted): {e}") from None


def _directory_members(path):
    names = sorted(os.path.relpath(os.path.join(folder, f), path).replace(os.sep, "/")
                   for folder, _, files in os.walk(path) for f in files)
    _check_member_names(names, path)
    out = {}
    for name in names:
        if name in MEMBERS or _is_asset(name):
            with open(os.path.join(path, *name.split("/")), "rb") as f:
                out[name] = f.read()
    return out


def _is_asset(name):
    return name.startswith(assets.PREFIX) and not name.endswith("/")


def _check_member_names(names, path):
    files = [n for n in names if not n.endswith("/")]
    unknown = sorted(n for n in files if n not in MEMBERS and not _is_asset(n))
    if unknown:
        raise ValueError(f"{path} holds files jkeras does not know: {unknown}. A `.keras` file "
                         f"has {list(MEMBERS)} (sharded weights are not supported).")
    missing = [n for n in (CONFIG, WEIGHTS) if n not in files]
    if missing:
        raise ValueError(f"{path} is not a complete `.keras` file: {missing} missing (found "
                         f"{sorted(files)}).")


def _parse_json(raw, member, path):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{member} in {path} is not valid JSON: {e}") from None

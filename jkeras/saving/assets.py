"""A `.keras` archive's `assets/` folder, as Keras's saving_lib writes and reads it.

Keras calls `save_assets(dir)` on every saveable that has it, with `dir` = `assets/<path>`, the
path being the object's group path in the weights file (keras_walk.py): e.g.
`assets/layers/string_lookup/vocabulary.txt`, or for a TextVectorization both
`assets/<path>/vocabulary.txt` and `assets/<path>/_lookup_layer/vocabulary.txt`. Loading calls
`load_assets(dir)` on the same objects after the weights are in (idf weights come first).
"""
import os
import tempfile

from jkeras.saving import keras_walk

PREFIX = "assets/"


def _asset_dir(root, path):
    return os.path.join(root, *path.split("/")) if path else root


def collect(model):
    """{archive member name: bytes} of every asset the model's objects write."""
    members = {}
    with tempfile.TemporaryDirectory() as root:
        for entry in keras_walk.walk(model):
            save = getattr(entry.obj, "save_assets", None)
            if save is None:
                continue
            folder = _asset_dir(root, entry.path)
            os.makedirs(folder, exist_ok=True)
            save(folder)
        for folder, _, files in os.walk(root):
            for name in sorted(files):
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                with open(full, "rb") as f:
                    members[PREFIX + rel] = f.read()
    return members


def restore(model, members, source):
    """Give each object with `load_assets` its folder of the archive's `assets/` members."""
    loaders = [(e, e.obj.load_assets) for e in keras_walk.walk(model)
               if hasattr(e.obj, "load_assets")]
    if not loaders:
        return
    with tempfile.TemporaryDirectory() as root:
        for name, data in members.items():
            rel = name[len(PREFIX):]
            parts = rel.split("/")
            if not rel or any(p in ("", ".", "..") for p in parts):
                raise ValueError(f"{source} holds an asset with an unsafe path: {name!r}.")
            full = os.path.join(root, *parts)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        for entry, load in loaders:
            folder = _asset_dir(root, entry.path)
            os.makedirs(folder, exist_ok=True)  # Keras's DiskIOStore.get makes it too
            load(folder)

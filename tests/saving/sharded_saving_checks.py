"""`.keras` / `.weights.h5` from a model sharded by ModelParallel (mesh 2x4 of forced CPU
devices), run in a subprocess by test_sharded_saving.py: the files hold the full arrays, equal
to one-device files of the same weights (tf.keras reads them), and load back into a sharded
model with each weight laid out as the layout map says. Prints one JSON object."""
import json
import os
import sys

import h5py
import jax
import numpy as np

import jkeras
from jkeras import distribution, layers

LAYOUTS = {"d1/kernel": (None, "model"), "d1/bias": ("model",), "d2/kernel": ("model", None)}


def make_model():
    jkeras.utils.set_random_seed(2)
    model = jkeras.Sequential([jkeras.Input((6,)), layers.Dense(16, activation="relu", name="d1"),
                               layers.Dense(3, name="d2")])
    model.compile(optimizer="adam", loss="mse")
    return model


def params(model):
    leaves = jax.tree_util.tree_flatten_with_path(model.get_variables()["params"])[0]
    return {"/".join(k.key for k in path): leaf for path, leaf in leaves}


def h5_arrays(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


def main(tmp):
    rs = np.random.RandomState(0)
    x, y = rs.randn(32, 6).astype("float32"), rs.randn(32, 3).astype("float32")
    mesh = distribution.DeviceMesh((2, 4), ("batch", "model"), devices=distribution.list_devices())
    lm = distribution.LayoutMap(mesh)
    for key, axes in LAYOUTS.items():
        lm[key] = axes
    mp = distribution.ModelParallel(layout_map=lm, batch_dim_name="batch")
    out = {"device_count": jax.device_count()}
    with mp.scope():
        model = make_model()
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        out["trained_sharded"] = len(params(model)["d1/kernel"].sharding.device_set)
        model.save_weights(os.path.join(tmp, "mp.weights.h5"))
        model.save(os.path.join(tmp, "mp.keras"))
        weights = model.get_weights()
        loaded = make_model()
        loaded.load_weights(os.path.join(tmp, "mp.weights.h5"))
        out["h5_weights"] = max_diff(weights, loaded.get_weights())
        out["h5_layout_ok"] = {p: len(leaf.sharding.device_set) == 8 and leaf.sharding.
                               is_equivalent_to(mp.layout_map[p].backend_layout, leaf.ndim)
                               for p, leaf in params(loaded).items() if p in LAYOUTS}
        restored = jkeras.saving.load_model(os.path.join(tmp, "mp.keras"))
        out["keras_weights"] = max_diff(weights, restored.get_weights())
        out["keras_layout_ok"] = {p: leaf.sharding.is_equivalent_to(
            mp.layout_map[p].backend_layout, leaf.ndim)
            for p, leaf in params(restored).items() if p in LAYOUTS}
        # training goes on identically from the loaded files
        h_orig = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
        h_load = loaded.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
        out["continued_weights"] = max_diff(model.get_weights(), loaded.get_weights())
        out["continued_loss"] = abs(h_orig["loss"][0] - h_load["loss"][0])
        out["iterations"] = [int(model.optimizer.iterations), int(loaded.optimizer.iterations)]
    # the file holds full arrays, as a one-device model with the same weights writes them
    plain = make_model()
    plain.set_weights(weights)
    plain.save_weights(os.path.join(tmp, "plain.weights.h5"))
    sharded_file, plain_file = (h5_arrays(os.path.join(tmp, n))
                                for n in ("mp.weights.h5", "plain.weights.h5"))
    layer_keys = [k for k in sharded_file if not k.startswith("optimizer")]
    out["file_layer_keys_equal"] = sorted(layer_keys) == sorted(
        k for k in plain_file if not k.startswith("optimizer"))
    out["file_layer_diff"] = max_diff([sharded_file[k] for k in layer_keys],
                                      [plain_file[k] for k in layer_keys])
    out["file_shapes"] = {k: list(np.shape(v)) for k, v in sharded_file.items()
                          if k.startswith("layers")}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])

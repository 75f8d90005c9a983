"""Checkpoints of sharded models on 8 forced CPU devices, run in a subprocess by
tests/training/test_orbax_checkpoint.py and tests/saving/test_sharded_saving.py. Prints one JSON
object.

- "model_parallel" / "data_parallel": a model under ModelParallel (mesh 2x4) or DataParallel
  checkpoints with OrbaxCheckpoint during fit, a new model under the same distribution restores it
  (each array laid out as the distribution says) and finishes the fit; compared with an
  uninterrupted fit.
- "files": `.keras` / `.weights.h5` from the ModelParallel model hold the full arrays (as a
  one-device model's file) and load back into a sharded model, laid out as the layout map says.
"""
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
    jkeras.utils.set_random_seed(1)
    model = jkeras.Sequential([jkeras.Input((6,)), layers.Dense(16, activation="relu", name="d1"),
                               layers.Dense(3, name="d2")])
    model.compile(optimizer="adam", loss="mse")
    return model


def data():
    rs = np.random.RandomState(0)
    return rs.randn(32, 6).astype("float32"), rs.randn(32, 3).astype("float32")


def params(model):
    leaves = jax.tree_util.tree_flatten_with_path(model.get_variables()["params"])[0]
    return {"/".join(k.key for k in path): leaf for path, leaf in leaves}


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


def resume(dist, tmp):
    x, y = data()
    with dist.scope():
        full = make_model()
        full_hist = full.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0).history
        first = make_model()
        h1 = first.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[
            jkeras.callbacks.OrbaxCheckpoint(os.path.join(tmp, "ckpt"))]).history
        model = make_model()
        model.load_weights(os.path.join(tmp, "ckpt"))
        restored = params(model)
        slots = jax.tree_util.tree_leaves(model.optimizer._last_state.slots)
        out = {"restored": restored, "slots": slots}
        h2 = model.fit(x, y, batch_size=8, epochs=4, initial_epoch=2, shuffle=False,
                       verbose=0).history
    out["result"] = {
        "device_count": jax.device_count(),
        "resume_weights": max_diff(full.get_weights(), model.get_weights()),
        "resume_history": max(abs(a - b) for k in full_hist
                              for a, b in zip(full_hist[k], h1[k] + h2[k])),
        "iterations": int(model.optimizer.iterations),
        "full_iterations": int(full.optimizer.iterations)}
    return out


def model_parallel():
    mesh = distribution.DeviceMesh((2, 4), ("batch", "model"), devices=distribution.list_devices())
    lm = distribution.LayoutMap(mesh)
    for key, axes in LAYOUTS.items():
        lm[key] = axes
    return distribution.ModelParallel(layout_map=lm, batch_dim_name="batch")


def check_model_parallel(tmp):
    mp = model_parallel()
    out = resume(mp, tmp)
    result = out["result"]
    result["restored_layout_ok"] = {
        path: len(leaf.sharding.device_set) == 8 and leaf.sharding.is_equivalent_to(
            mp.layout_map[path].backend_layout, leaf.ndim)
        for path, leaf in out["restored"].items() if path in LAYOUTS}
    result["kernel_spec"] = repr(out["restored"]["d1/kernel"].sharding.spec)
    # what the checkpoint records: the kernel written shard by shard, with its layout
    import orbax.checkpoint as ocp
    meta = ocp.v1.pytree_metadata(os.path.join(tmp, "ckpt", "1"),
                                  checkpointable_name="pytree").metadata
    (in_model,) = meta["trainable_variables"].values()  # Keras's layout: below the model's name
    kernel = in_model["d1"]["kernel"]
    result["saved_kernel"] = {"shape": list(kernel.shape),
                              "spec": list(kernel.sharding_metadata.partition_spec),
                              "write_shape": list(kernel.storage_metadata.write_shape)}
    kernel_sharding = out["restored"]["d1/kernel"].sharding
    sharded = [s for s in out["slots"] if s.shape == (6, 16)]
    result["restored_slots_sharded"] = len(sharded)
    result["restored_slots_ok"] = all(s.sharding.is_equivalent_to(kernel_sharding, 2)
                                      for s in sharded)
    return result


def check_data_parallel(tmp):
    out = resume(distribution.DataParallel(devices=distribution.list_devices()), tmp)
    result = out["result"]
    result["replicated_on"] = sorted({len(a.sharding.device_set) for a in out["restored"].values()
                                      if a.sharding.is_fully_replicated})
    return result


def h5_arrays(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def check_files(tmp):
    x, y = data()
    mp = model_parallel()
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
    return out


if __name__ == "__main__":
    group, tmp = sys.argv[1], sys.argv[2]
    result = {"model_parallel": check_model_parallel,
              "data_parallel": check_data_parallel, "files": check_files}[group](tmp)
    json.dump(result, sys.stdout)

"""One process of the 2-process tests (test_multiprocess.py): 2 forced CPU devices, gloo CPU
collectives, `jkeras.distribution.initialize`, then a fit over the 4 global devices on this
process's own batches (`auto_shard_dataset=False`). Results go to OUT_DIR as JSON / npz.

usage: multiprocess_worker.py PROCESS_ID PORT OUT_DIR [MODE]

MODE: "dp" (default) DataParallel; "mp" ModelParallel on a 2x2 mesh (batch over the processes,
"model" over each process's 2 devices); "mp_global" the same with the same global arrays in
every process (`auto_shard_dataset=True`, `fit(x, y)`); "die" a long fit that writes `ready_PID` after 2 epochs
(the test then kills one process); "disagree" process 1 builds another model and has fewer
batches (each process writes the ValueError it gets to `error_PID.txt`).
"""
import json
import os
import sys

import jax

if __name__ == "__main__":  # the test imports this module for its helpers: JAX is running there
    jax.config.update("jax_num_cpu_devices", 2)
    jax.config.update("jax_cpu_collectives_implementation", "gloo")

import numpy as np  # noqa: E402

import jkeras  # noqa: E402
from jkeras import distribution, layers  # noqa: E402
from jkeras.core import random as random_lib  # noqa: E402

GLOBAL_BATCH, PROCESSES = 16, 2
HEARTBEAT_S = 10  # a dead process is noticed within this (tests stay bounded)
# ModelParallel: every kernel and bias split over the "model" axis (each process's 2 devices).
LAYOUTS = {"hidden/kernel": (None, "model"), "hidden/bias": ("model",),
           "out/kernel": ("model", None)}


def model(hidden=8):
    jkeras.utils.set_random_seed(0)
    inp = layers.Input((5,))
    h = layers.Dense(hidden, activation="relu", name="hidden")(inp)
    m = jkeras.Model(inp, layers.Dense(2, name="out")(h))
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return m


def data(n=48):
    rs = np.random.RandomState(0)
    return rs.randn(n, 5).astype("float32"), rs.randn(n, 2).astype("float32")


class Batches(jkeras.utils.PyDataset):
    """Batches of `size` rows; `part` of `parts` of each global batch (this process's share)."""

    def __init__(self, x, y, size, part=0, parts=1):
        super().__init__()
        self.x, self.y, self.size, self.part, self.parts = x, y, size, part, parts

    def __len__(self):
        return len(self.x) // self.size

    def __getitem__(self, i):
        local = self.size // self.parts
        s = slice(i * self.size + self.part * local, i * self.size + (self.part + 1) * local)
        return self.x[s], self.y[s]


def local_value(array):
    """A weight as NumPy from this process's shards (each process holds every index here:
    the "model" axis lies within a process)."""
    out = np.zeros(array.shape, array.dtype)
    for shard in array.addressable_shards:
        out[shard.index] = np.asarray(shard.data)
    return out


def model_parallel(auto_shard_dataset=False):
    mesh = distribution.DeviceMesh((2, 2), ("batch", "model"), devices=distribution.list_devices())
    layout_map = distribution.LayoutMap(mesh)
    for key, axes in LAYOUTS.items():
        layout_map[key] = axes
    return distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch",
                                      auto_shard_dataset=auto_shard_dataset)


def layouts(m, dist):
    """Per weight: is its sharding the layout map's, and the shapes of this process's shards."""
    out = {}
    for v in m.weights:
        layout = dist.layout_map[v.path]
        spec = layout.backend_layout if layout is not None else jax.sharding.NamedSharding(
            dist.device_mesh.backend_mesh, jax.sharding.PartitionSpec())
        out[v.path] = {"as_layout": bool(v.value.sharding.is_equivalent_to(spec, v.value.ndim)),
                       "shards": sorted(list(s.data.shape) for s in v.value.addressable_shards)}
    return out


class Ready(jkeras.callbacks.Callback):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            open(self.path, "w").close()


def main(pid, port, out_dir, mode="dp"):
    distribution.initialize(f"localhost:{port}", num_processes=PROCESSES, process_id=pid,
                            initialization_timeout=60, heartbeat_timeout_seconds=HEARTBEAT_S,
                            shutdown_timeout_seconds=30)
    shared_seed = random_lib.get_random_seed()  # none was set: process 0's, in every process
    if mode.startswith("mp"):
        dist = model_parallel(auto_shard_dataset=mode == "mp_global")
    else:
        dist = distribution.DataParallel(auto_shard_dataset=False)
    distribution.set_distribution(dist)
    odd = mode == "disagree" and pid == 1
    x, y = data(32 if odd else 48)
    mine = Batches(x, y, GLOBAL_BATCH, pid, PROCESSES)
    m = model(6 if odd else 8)
    if mode == "die":
        m.fit(mine, epochs=100_000, verbose=0,
              callbacks=[Ready(os.path.join(out_dir, f"ready_{pid}"))])
        return
    if mode == "mp_global":  # the same global arrays everywhere, batches in order
        hist = m.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0).history
        ev = m.evaluate(x, y, batch_size=GLOBAL_BATCH, verbose=0)
    else:
        try:
            hist = m.fit(mine, epochs=2, verbose=0).history
        except ValueError as err:
            with open(os.path.join(out_dir, f"error_{pid}.txt"), "w") as f:
                f.write(str(err))
            return
        ev = m.evaluate(mine, verbose=0)
    weights = [local_value(v.value) for v in m.weights]
    result = {"history": hist, "evaluate": ev, "devices": jax.device_count(),
              "local_devices": jax.local_device_count(), "processes": jax.process_count(),
              "shared_seed": shared_seed}
    if mode.startswith("mp"):
        result["layouts"] = layouts(m, dist)
    np.savez(os.path.join(out_dir, f"weights_{pid}.npz"), *weights)
    with open(os.path.join(out_dir, f"logs_{pid}.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], *sys.argv[4:])

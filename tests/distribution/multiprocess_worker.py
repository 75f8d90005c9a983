"""One process of the 2-process test (test_multiprocess.py): 2 forced CPU devices, gloo CPU
collectives, `jkeras.distribution.initialize`, then a DataParallel fit over the 4 global devices
on this process's own batches (`auto_shard_dataset=False`). Process 0 writes the results.

usage: multiprocess_worker.py PROCESS_ID PORT OUT_DIR
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

GLOBAL_BATCH, PROCESSES = 16, 2


def model():
    jkeras.utils.set_random_seed(0)
    m = jkeras.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"),
                           layers.Dense(2)])
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return m


def data():
    rs = np.random.RandomState(0)
    return rs.randn(48, 5).astype("float32"), rs.randn(48, 2).astype("float32")


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


def main(pid, port, out_dir):
    distribution.initialize(f"localhost:{port}", num_processes=PROCESSES, process_id=pid)
    dist = distribution.DataParallel(auto_shard_dataset=False)
    distribution.set_distribution(dist)
    x, y = data()
    mine = Batches(x, y, GLOBAL_BATCH, pid, PROCESSES)
    m = model()
    hist = m.fit(mine, epochs=2, verbose=0).history
    ev = m.evaluate(mine, verbose=0)
    weights = [np.asarray(w) for w in m.get_weights()]
    if pid == 0:
        np.savez(os.path.join(out_dir, "weights.npz"), *weights)
        with open(os.path.join(out_dir, "logs.json"), "w") as f:
            json.dump({"history": hist, "evaluate": ev, "devices": jax.device_count(),
                       "local_devices": jax.local_device_count(),
                       "processes": jax.process_count()}, f)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])

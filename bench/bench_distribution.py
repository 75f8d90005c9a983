"""Data- and model-parallel `fit` throughput over 1, 2, 4 and 8 devices
(`jkeras.distribution.DataParallel` / `ModelParallel`).

usage: python bench/bench_distribution.py [--workloads mlp,cnn] [--devices 1,2,4,8]
                                          [--modes dp,mp] [--n 16384] [--cnn-n 2048]
                                          [--batch 512] [--epochs 3] [--platform cpu]

Each (mode, device count) runs in its own subprocess (`--worker WORKLOAD DEVICES MODE`): on CPU
with XLA_FLAGS=--xla_force_host_platform_device_count=DEVICES (the flag must be set before JAX
starts). "1 (plain)" is a fit with no distribution set; "dp" fits under `DataParallel()` over
every device of the worker; "mp" under `ModelParallel` on a 1 x DEVICES mesh ("batch", "model")
whose LayoutMap splits every weight over "model" (its last axis when the device count divides
it, else its first, else replicated: pure model parallelism, no data split). Each worker fits
twice to warm up (compilation excluded), then times a fit (samples/s) and measures the largest
number of weight bytes one device holds. Forced CPU devices split one machine's cores: the
ratio says what the split costs or gains there, not what separate accelerators give. With
`--platform gpu` the worker uses the first DEVICES GPUs (no flag). This is a script, not a test.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model_for(jkeras, workload):
    L = jkeras.layers
    if workload == "mlp":
        body = [jkeras.Input((784,)), L.Dense(256, activation="relu"), L.Dense(10)]
    else:
        body = [jkeras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dense(10)]
    model = jkeras.Sequential(body)
    model.compile(optimizer=jkeras.optimizers.Adam(1e-3),
                  loss=jkeras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def split_everything(D, model, devices):
    """A ModelParallel over a 1 x len(devices) mesh splitting every weight over "model"."""
    mesh = D.DeviceMesh((1, len(devices)), ("batch", "model"), devices=devices)
    layout_map = D.LayoutMap(mesh)
    for v in model.weights:
        shape, axes = tuple(v.shape), [None] * len(v.shape)
        for axis in (len(shape) - 1, 0):
            if shape[axis] % len(devices) == 0:
                axes[axis] = "model"
                break
        layout_map[v.path] = tuple(axes)
    return D.ModelParallel(layout_map=layout_map, batch_dim_name="batch")


def worker(workload, devices, mode, n, batch, epochs, platform):
    import jax
    import jkeras
    plain = devices == "1p"
    count = 1 if plain else int(devices)
    rng = np.random.default_rng(0)
    shape = (n, 784) if workload == "mlp" else (n, 28, 28, 1)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 10, size=(n,)).astype(np.int32)
    jkeras.utils.set_random_seed(0)
    model = model_for(jkeras, workload)
    if not plain:
        found = jax.devices(platform)[:count]
        if len(found) < count:
            raise SystemExit(f"only {len(found)} {platform} devices")
        D = jkeras.distribution
        D.set_distribution(D.DataParallel(devices=found) if mode == "dp"
                           else split_everything(D, model, found))
    for _ in range(2):  # compile; the 2nd fit starts from weights already on the mesh,
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # its own (copy) program
    t = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
    jax.block_until_ready(model.get_variables())
    seconds = time.perf_counter() - t
    per_device = {}
    for v in model.weights:
        for shard in v.value.addressable_shards:
            per_device[shard.device.id] = per_device.get(shard.device.id, 0) + shard.data.nbytes
    print(json.dumps({"samples_per_s": n * epochs / seconds, "seconds": seconds,
                      "devices": len(model.weights[0].value.sharding.device_set),
                      "weight_bytes": sum(int(v.value.nbytes) for v in model.weights),
                      "max_bytes_per_device": max(per_device.values())}))


def run_worker(workload, devices, mode, args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([ROOT] + [p for p in os.environ.get(
                   "PYTHONPATH", "").split(os.pathsep) if p]))
    if args.platform == "cpu":
        count = 1 if devices == "1p" else int(devices)
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={count}"
        env["JAX_PLATFORMS"] = "cpu"
    n = args.n if workload == "mlp" else args.cnn_n
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", workload, devices, mode, "--n",
           str(n), "--batch", str(args.batch), "--epochs", str(args.epochs), "--platform",
           args.platform]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


MODES = {"dp": "DataParallel", "mp": "ModelParallel"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--worker", nargs=3)
    p.add_argument("--workloads", default="mlp,cnn")
    p.add_argument("--devices", default="1,2,4,8")
    p.add_argument("--modes", default="dp,mp")
    p.add_argument("--n", type=int, default=16384)
    p.add_argument("--cnn-n", type=int, default=2048)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--platform", default="cpu")
    args = p.parse_args()
    if args.worker:
        return worker(*args.worker, args.n, args.batch, args.epochs, args.platform)
    counts = args.devices.split(",")
    print(f"Distributed fit ({args.platform}), batch {args.batch}, {args.epochs} timed epochs; "
          "samples/s (ratio vs no distribution); weights: the largest bytes one device holds\n")
    print("| workload | mode | " + " | ".join(f"x{c}" for c in counts) + " |")
    print("|---|---" + "|---" * len(counts) + "|")
    for workload in args.workloads.split(","):
        plain = run_worker(workload, "1p", "dp", args)
        if "error" in plain:
            print(f"| {workload} | plain | error: {plain['error'][:60]} |", flush=True)
            continue
        base = plain["samples_per_s"]
        print(f"| {workload} | plain | {base:,.0f} (1.00x), weights {plain['weight_bytes']:,} B"
              + " |" * len(counts), flush=True)
        for mode in args.modes.split(","):
            cells = []
            for c in counts:
                r = run_worker(workload, c, mode, args)
                if "error" in r:
                    cells.append(f"error: {r['error'][:60]}")
                    continue
                cells.append(f"{r['samples_per_s']:,.0f} ({r['samples_per_s'] / base:.2f}x), "
                             f"weights {r['max_bytes_per_device']:,} B")
            print(f"| {workload} | {MODES[mode]} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()

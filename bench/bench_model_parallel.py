"""Model-parallel `fit` throughput and per-device weight bytes over forced CPU device meshes
(`jkeras.distribution.ModelParallel`, every Dense kernel split over the "model" axis).

usage: python bench/bench_model_parallel.py [--meshes 1x1,1x2,1x4,2x4] [--n 1024] [--width 256]
                                            [--batch 128] [--epochs 1]

Each mesh (batch x model) runs in its own subprocess (`--worker BxM`) with
XLA_FLAGS=--xla_force_host_platform_device_count=B*M (set before JAX starts); "plain" is a fit
with no distribution. The model: Embedding -> MultiHeadAttention -> LayerNormalization ->
Dense(4*width) -> Dense(width) -> Dense(10) on sequences of 16 tokens. Each worker fits once to
compile, then times a fit (samples/s). Forced CPU devices split one machine's cores, so the
figures show what the split costs there and how the weights' bytes per device shrink, not what
separate accelerators give. This is a script, not a test.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEQ = 16


def build(jkeras, width):
    L = jkeras.layers
    inp = L.Input((SEQ,), dtype="int32")
    x = L.Embedding(1024, width, name="embed")(inp)
    a = L.MultiHeadAttention(8, width // 8, name="mha")(x, x)
    x = L.LayerNormalization(name="ln")(L.Add()([x, a]))
    x = L.Dense(4 * width, activation="relu", name="ffn_in")(x)
    x = L.Dense(width, name="ffn_out")(x)
    x = L.GlobalAveragePooling1D()(x)
    model = jkeras.Model(inp, L.Dense(16, name="head")(x))
    model.compile(optimizer="adam",
                  loss=jkeras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def worker(mesh_name, n, width, batch, epochs):
    import jax
    import jkeras
    from jkeras import distribution as D
    if mesh_name != "plain":
        b, m = (int(v) for v in mesh_name.split("x"))
        lm = D.LayoutMap(D.DeviceMesh((b, m), ("batch", "model")))
        lm["embed/embeddings"] = (None, "model")
        lm["mha/(query|key|value)/kernel"] = (None, "model", None)
        lm["mha/attention_output/kernel"] = ("model", None, None)
        lm["(ffn_in|ffn_out|head)/kernel"] = (None, "model")
        D.set_distribution(D.ModelParallel(layout_map=lm, batch_dim_name="batch"))
    rng = np.random.default_rng(0)
    x = rng.integers(0, 1024, (n, SEQ)).astype(np.int32)
    y = rng.integers(0, 16, (n,)).astype(np.int32)
    jkeras.utils.set_random_seed(0)
    model = build(jkeras, width)
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    t = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
    jax.block_until_ready(model.get_variables())
    seconds = time.perf_counter() - t
    leaves = jax.tree_util.tree_leaves(model.get_variables())
    per_device = {}
    for leaf in leaves:
        for shard in leaf.addressable_shards:
            per_device[shard.device.id] = per_device.get(shard.device.id, 0) + shard.data.nbytes
    print(json.dumps({"samples_per_s": n * epochs / seconds,
                      "weight_bytes": sum(int(a.nbytes) for a in leaves),
                      "max_bytes_per_device": max(per_device.values())}))


def run_worker(mesh_name, args):
    count = 1 if mesh_name == "plain" else int(np.prod([int(v) for v in mesh_name.split("x")]))
    path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH", "")]))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "JAX_PLATFORMS": "cpu", "PYTHONPATH": path,
           "XLA_FLAGS": f"--xla_force_host_platform_device_count={count}"}
    flags = [f"--{k}={getattr(args, k)}" for k in ("n", "width", "batch", "epochs")]
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", mesh_name,
                           *flags], env=env, capture_output=True, text=True)
    ok = proc.returncode == 0
    lines = (proc.stdout if ok else proc.stderr).strip().splitlines() or ["failed"]
    return json.loads(lines[-1]) if ok else {"error": lines[-1]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--worker")
    p.add_argument("--meshes", default="1x1,1x2,1x4,2x4")
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args()
    if args.worker:
        return worker(args.worker, args.n, args.width, args.batch, args.epochs)
    print(f"ModelParallel fit (forced CPU devices), width {args.width}, batch {args.batch}, "
          f"{args.epochs} timed epochs\n")
    print("| mesh (batch x model) | samples/s | vs plain | weight bytes | max bytes/device |")
    print("|---|---|---|---|---|")
    base = None
    for mesh_name in ["plain"] + args.meshes.split(","):
        r = run_worker(mesh_name, args)
        if "error" in r:
            print(f"| {mesh_name} | error: {r['error'][:80]} | | | |", flush=True)
            continue
        base = base or r["samples_per_s"]
        print(f"| {mesh_name} | {r['samples_per_s']:,.0f} | {r['samples_per_s'] / base:.2f}x | "
              f"{r['weight_bytes']:,} | {r['max_bytes_per_device']:,} |", flush=True)


if __name__ == "__main__":
    main()

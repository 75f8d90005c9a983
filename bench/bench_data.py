"""`fit` throughput of the MLP by input kind: NumPy arrays vs a tf.data pipeline vs a PyDataset
vs a generator, with and without jkeras's background prefetch, and with a pipeline that takes
time per batch (`--latency-ms`, a sleep standing for decoding / augmentation on the host).

usage: python bench/bench_data.py [--n 20000] [--epochs 3] [--latency-ms 2]
                                  [--sources arrays,tfdata,pydataset,pydataset2,generator]

Each (source, prefetch, latency) case runs in its own subprocess (`--worker ...`); it fits
one epoch to warm up (compilation excluded), then times `--epochs` epochs and prints one JSON
line. Output: a markdown table of samples/s and the ratio to the fit from arrays. This is a
script, not a test.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 128


def make_data(n):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((n, 784)).astype(np.float32),
            rng.integers(0, 10, size=(n,)).astype(np.int32))


def make_source(kind, x, y, latency, jkeras):
    nb = len(x) // BATCH  # whole batches only, so every kind sees the same steps

    def batch(i):
        if latency:
            time.sleep(latency)
        return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]
    if kind == "arrays":
        return x[:nb * BATCH], y[:nb * BATCH]
    if kind == "tfdata":
        import tensorflow as tf
        ds = tf.data.Dataset.range(nb).map(
            lambda i: tf.numpy_function(lambda j: batch(int(j)), [i], (tf.float32, tf.int32)))
        return ds.map(lambda a, b: (tf.ensure_shape(a, (BATCH, 784)),
                                    tf.ensure_shape(b, (BATCH,)))).prefetch(tf.data.AUTOTUNE)
    if kind in ("pydataset", "pydataset2"):
        class Batches(jkeras.utils.PyDataset):
            def __len__(self):
                return nb

            def __getitem__(self, i):
                return batch(i)
        return Batches(workers=2 if kind == "pydataset2" else 1)
    if kind == "generator":
        def forever():
            while True:
                for i in range(nb):
                    yield batch(i)
        return forever()
    raise ValueError(f"unknown source {kind!r}")


def worker(kind, prefetch, n, epochs, latency_ms):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, ROOT)
    import jkeras
    from jkeras.training import prefetch as prefetch_lib
    if prefetch == "off":
        prefetch_lib.BUFFER_SIZE = 0
    x, y = make_data(n)
    model = jkeras.Sequential([jkeras.Input((784,)), jkeras.layers.Dense(256, activation="relu"),
                               jkeras.layers.Dense(10)])
    model.compile(optimizer=jkeras.optimizers.Adam(1e-3),
                  loss=jkeras.losses.SparseCategoricalCrossentropy(from_logits=True))
    source = make_source(kind, x, y, latency_ms / 1000.0, jkeras)
    nb = len(x) // BATCH
    kw = dict(batch_size=BATCH, shuffle=False) if kind == "arrays" else {}
    if kind == "generator":
        kw["steps_per_epoch"] = nb
    args = source if isinstance(source, tuple) else (source,)
    model.fit(*args, epochs=1, verbose=0, **kw)  # warm-up: compiles
    t = time.perf_counter()
    h = model.fit(*args, epochs=epochs, verbose=0, **kw)
    dt = time.perf_counter() - t
    print(json.dumps({"source": kind, "prefetch": prefetch, "latency_ms": latency_ms,
                      "seconds": dt, "samples_per_s": epochs * nb * BATCH / dt,
                      "final_loss": float(h.history["loss"][-1])}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--worker", nargs=3)
    p.add_argument("--sources", default="arrays,tfdata,pydataset,pydataset2,generator")
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--latency-ms", type=float, default=2.0,
                   help="host time per batch in the slow-pipeline rows (0: no such rows)")
    a = p.parse_args()
    if a.worker:
        return worker(a.worker[0], a.worker[1], a.n, a.epochs, float(a.worker[2]))
    cases = []
    for latency in ([0.0, a.latency_ms] if a.latency_ms else [0.0]):
        for kind in a.sources.split(","):
            for prefetch in (["on"] if kind == "arrays" else ["on", "off"]):
                if kind == "arrays" and latency:
                    continue  # arrays have no pipeline
                cases.append((kind, prefetch, latency))
    results = {}
    for kind, prefetch, latency in cases:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, prefetch,
               str(latency), "--n", str(a.n), "--epochs", str(a.epochs)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        line = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
        results[(kind, prefetch, latency)] = json.loads(line[-1]) if line else None
        if not line:
            tail = (r.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"# {kind}/{prefetch}/{latency}: {tail}", file=sys.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nMLP 784-256-10 fit by input kind, {os.cpu_count()} CPU cores, load average "
          f"{load:.1f}; n={a.n}, batch {BATCH}, {a.epochs} timed epochs\n")
    print("| source | host ms/batch | prefetch | samples/s | vs arrays |")
    print("|---|---|---|---|---|")
    base = results.get(("arrays", "on", 0.0))
    for case in cases:
        r = results[case]
        kind, prefetch, latency = case
        shown = "n/a" if kind == "arrays" else prefetch
        if r is None:
            print(f"| {kind} | {latency:g} | {shown} | failed | |")
            continue
        ratio = f"{r['samples_per_s'] / base['samples_per_s']:.2f}x" if base else ""
        print(f"| {kind} | {latency:g} | {shown} | {r['samples_per_s']:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()

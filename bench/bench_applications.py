"""ResNet50 training throughput on CPU: jkeras vs Keras 3 (JAX backend) vs tf.keras.

usage: python bench/bench_applications.py [--n 256] [--batch 16] [--size 32] [--epochs 2]
                                          [--impls jkeras,keras3,tfkeras]

Each implementation runs in its own subprocess (`--worker IMPL`), builds
`ResNet50(weights=None, input_shape=(size, size, 3), classes=10)`, compiles it with SGD and
sparse categorical cross-entropy, fits one epoch to warm up (compilation excluded), then times
`--epochs` epochs and prints one JSON line; the parent prints images/s per implementation.
This is a script, not a test.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(impl, n, batch, size, epochs):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (n, size, size, 3)).astype("float32")
    y = rng.integers(0, 10, n).astype("int32")
    if impl == "jkeras":
        sys.path.insert(0, ROOT)
        import jkeras as k
        build = k.applications.ResNet50
    elif impl == "keras3":
        import keras as k
        build = k.applications.ResNet50
    else:
        import tensorflow as tf
        k = tf.keras
        build = k.applications.ResNet50
    model = build(weights=None, input_shape=(size, size, 3), classes=10)
    model.compile(optimizer=k.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": impl, "images_per_s": n * epochs / seconds, "seconds": seconds}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--impls", default="jkeras,keras3,tfkeras")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.batch, args.size, args.epochs)
        return
    rows = []
    for impl in args.impls.split(","):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
        env["KERAS_BACKEND"] = "jax" if impl == "keras3" else "tensorflow"
        run = subprocess.run([sys.executable, __file__, "--worker", impl, "--n", str(args.n),
                              "--batch", str(args.batch), "--size", str(args.size),
                              "--epochs", str(args.epochs)],
                             env=env, capture_output=True, text=True)
        lines = [ln for ln in run.stdout.splitlines() if ln.startswith("{")]
        if run.returncode != 0 or not lines:
            print(f"{impl}: failed\n{run.stderr[-2000:]}")
            continue
        rows.append(json.loads(lines[-1]))
    print(f"ResNet50 {args.size}x{args.size}, batch {args.batch}, {args.n} images x "
          f"{args.epochs} epochs, CPU")
    print("| impl | images/s | seconds |\n|---|---|---|")
    for r in rows:
        print(f"| {r['impl']} | {r['images_per_s']:.1f} | {r['seconds']:.2f} |")


if __name__ == "__main__":
    main()

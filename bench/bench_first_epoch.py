"""Time to the end of the first epoch, from a cold process: jkeras vs Keras 3 (JAX) vs tf.keras.

usage: python bench/bench_first_epoch.py [--models mlp,cnn] [--frameworks jkeras,keras3,tfkeras]
                                         [--n 60000] [--repeats 1]

What a new user waits for: a fresh Python process imports the framework, builds keras.io's
model, compiles it and calls `fit(..., epochs=1, batch_size=128, validation_split=0.1)` with the
default progress bar, on MNIST-shaped random data (`--n` samples of 28x28 / 784 floats, one-hot
labels). Every (framework, model, cache) runs in its own subprocess (`--worker`), which reports
wall-clock stamps; the table shows seconds from process start and from the `fit` call to the
end of epoch 1 (the return of `fit`), twice:
  cold: no persistent compilation cache (an empty directory);
  warm: the same directory after the cold run filled it: jkeras through
        `jkeras.config.enable_compilation_cache(dir)`, Keras 3 through JAX's same cache with the
        same thresholds; tf.keras has no persistent cache (its warm run is a second cold run).
Models: the MLP of Keras's mnist_mlp example (784-512-512-10, Dropout 0.2, RMSprop) and
keras.io's "Simple MNIST convnet" (conv32-pool-conv64-pool-Dropout 0.5-dense10, Adam), both
with categorical crossentropy and accuracy. With `--repeats R` every cell is the median of R.
This is a script, not a test.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAMEWORKS = {"jkeras": "jkeras", "keras3": "Keras 3 (JAX)", "tfkeras": "tf.keras"}


def build(keras, model_name):
    L = keras.layers
    if model_name == "mlp":
        model = keras.Sequential([
            keras.Input(shape=(784,)), L.Dense(512, activation="relu"), L.Dropout(0.2),
            L.Dense(512, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")])
        optimizer = "rmsprop"
    else:
        model = keras.Sequential([
            keras.Input(shape=(28, 28, 1)), L.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)), L.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)), L.Flatten(), L.Dropout(0.5),
            L.Dense(10, activation="softmax")])
        optimizer = "adam"
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def worker(framework, model_name, n, cache_dir):
    import numpy as np
    if framework == "jkeras":
        sys.path.insert(0, ROOT)
        import jkeras as keras
        if cache_dir:
            keras.config.enable_compilation_cache(cache_dir)
    elif framework == "keras3":
        os.environ["KERAS_BACKEND"] = "jax"
        import jax
        import keras
        if cache_dir:  # the same JAX cache and thresholds as jkeras's
            jax.config.update("jax_compilation_cache_dir", cache_dir)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    else:
        import tensorflow as tf
        keras = tf.keras
    imported = time.time()
    rng = np.random.default_rng(0)
    shape = (n, 784) if model_name == "mlp" else (n, 28, 28, 1)
    x = rng.random(shape, dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=n)]
    model = build(keras, model_name)
    fit_call = time.time()
    history = model.fit(x, y, batch_size=128, epochs=1, validation_split=0.1, verbose=1)
    end = time.time()
    print("RESULT " + json.dumps({
        "imported": imported, "fit_call": fit_call, "epoch1_end": end,
        "loss": float(history.history["loss"][-1])}), flush=True)


def run_one(framework, model_name, n, cache_dir):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", framework, model_name,
           "--n", str(n), "--cache", cache_dir or ""]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[len("RESULT "):])
            return {"start": r["epoch1_end"] - start, "fit": r["epoch1_end"] - r["fit_call"],
                    "import": r["imported"] - start}
    sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
    raise RuntimeError(f"{framework}/{model_name} failed (exit {proc.returncode})")


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="mlp,cnn")
    p.add_argument("--frameworks", default="jkeras,keras3,tfkeras")
    p.add_argument("--n", type=int, default=60000)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--worker", nargs=2)
    p.add_argument("--cache", default="")
    a = p.parse_args()
    if a.worker:
        return worker(a.worker[0], a.worker[1], a.n, a.cache)
    print(f"| model | framework | cold: from start | cold: from fit | warm: from start "
          f"| warm: from fit | import |")
    print("|---|---|---|---|---|---|---|")
    for model_name in a.models.split(","):
        for framework in a.frameworks.split(","):
            cold, warm = [], []
            for _ in range(a.repeats):
                cache = tempfile.mkdtemp(prefix="jk_first_epoch_")
                try:
                    cold.append(run_one(framework, model_name, a.n, cache))
                    warm.append(run_one(framework, model_name, a.n,
                                        cache if framework != "tfkeras" else ""))
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
            print(f"| {model_name} | {FRAMEWORKS[framework]} | {median(cold, 'start'):.1f} s "
                  f"| {median(cold, 'fit'):.1f} s | {median(warm, 'start'):.1f} s "
                  f"| {median(warm, 'fit'):.1f} s | {median(cold, 'import'):.1f} s |",
                  flush=True)


if __name__ == "__main__":
    main()

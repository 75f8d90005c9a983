"""Side-by-side `fit` throughput: jkeras vs hand-written JAX vs Keras 3 (JAX) vs tf.keras.

usage: python bench/bench_fit.py [--workloads mlp,tiny,cnn] [--n 20000] [--cnn-n 2048] [--epochs 3]
                                 [--impls jkeras,jkeras_dev,jax_scan,jax_scan_copy,jax_loop,keras3,tfkeras]
                                 [--policies float32,mixed_bfloat16]

Every (impl, workload) runs in its own subprocess (`--worker IMPL WORKLOAD`) so the Keras
backends never meet. Each worker fits once to warm up (compilation excluded), then times a
second fit and prints one JSON line. Output: a markdown table of samples/s (epochs/s for tiny)
and the ratio to the hand-written `lax.scan` loop (the same loop as shared/bench/anchor_fit.py,
its data put on the device before the clock starts), and to the same loop given the same input:
`jax_scan_copy` copies the host arrays to the device inside the timing, as a `fit` on NumPy
arrays must; `jkeras_dev` fits arrays already on the device; `jkeras_dp` runs under
`DataParallel` over BENCH_DP_DEVICES forced host devices (default min(4, cores)),
plus the seconds of the 10,000-epoch tiny fit (`model.fit(X, Y, epochs=10000, batch_size=5,
verbose=0)`; Keras runs fewer epochs and the 10,000-epoch time is extrapolated, marked "est.").
`--policies` runs every row once per global dtype policy (`keras.config.set_dtype_policy`;
mixed precision). The hand-written loops follow a mixed policy by casting the weights and
inputs to its compute dtype inside the loss (variables and optimizer stay float32).
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
# jkeras_dp: forced host devices for DataParallel (XLA's CPU convolutions gain from splitting
# the batch over devices; on a GPU machine this still runs on the one GPU).
DP_DEVICES = int(os.environ.get("BENCH_DP_DEVICES", min(4, os.cpu_count() or 1)))
TINY_EPOCHS = {"jkeras": 10000, "jkeras_dp": 10000, "jkeras_dev": 10000, "jax_scan": 10000,
               "jax_scan_copy": 10000, "jax_loop": 3000, "keras3": 1000, "tfkeras": 100}


def make_data(workload, n):
    rng = np.random.default_rng(0)
    if workload == "tiny":  # seed 003: linear regression on 5 normalised points
        x = np.linspace(0, 1, 5, dtype=np.float32)[:, None]
        return x, (0.97 * x + 0.06).astype(np.float32), 5
    shape = (n, 784) if workload == "mlp" else (n, 28, 28, 1)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.integers(0, 10, size=(n,)).astype(np.int32), 128)


def policy():
    return os.environ.get("BENCH_POLICY", "float32")


def keras_model(K, workload):
    K.config.set_dtype_policy(policy())
    L = K.layers
    if workload == "mlp":
        m = K.Sequential([K.Input(shape=(784,)), L.Dense(256, activation="relu"), L.Dense(10)])
        return m, K.losses.SparseCategoricalCrossentropy(from_logits=True), K.optimizers.Adam(1e-3)
    if workload == "cnn":
        m = K.Sequential([K.Input(shape=(28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                          L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                          L.MaxPooling2D(2), L.Flatten(), L.Dense(10)])
        return m, K.losses.SparseCategoricalCrossentropy(from_logits=True), K.optimizers.Adam(1e-3)
    m = K.Sequential([K.Input(shape=(1,)), L.Dense(1)])
    return m, K.losses.MeanSquaredError(), K.optimizers.SGD(1e-3)


def run_keras(K, workload, n, epochs, impl):
    x, y, bs = make_data(workload, n)
    if impl == "jkeras_dev":  # the same fit on arrays already on the device
        import jax
        x, y = jax.device_put(x), jax.device_put(y)
    model, loss, opt = keras_model(K, workload)
    model.compile(optimizer=opt, loss=loss)
    timed = TINY_EPOCHS[impl] if workload == "tiny" else epochs
    kw = {} if workload == "tiny" else {"shuffle": False}  # tiny: exactly the seed's call
    model.fit(x, y, batch_size=bs, epochs=20 if workload == "tiny" else 1, verbose=0, **kw)
    t = time.perf_counter()
    h = model.fit(x, y, batch_size=bs, epochs=timed, verbose=0, **kw)
    return time.perf_counter() - t, timed, float(h.history["loss"][-1]), len(x)


def run_jax(workload, n, epochs, scan, copy_in_timing=False):
    import jax
    import jax.numpy as jnp
    import optax
    x, y, bs = make_data(workload, n)
    key = jax.random.PRNGKey(0)
    if workload == "mlp":
        k1, k2 = jax.random.split(key)
        params = {"w1": jax.random.normal(k1, (784, 256)) * 0.05, "b1": jnp.zeros(256),
                  "w2": jax.random.normal(k2, (256, 10)) * 0.05, "b2": jnp.zeros(10)}

        def lossf(p, xb, yb):
            logits = jax.nn.relu(xb @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()
        opt = optax.adam(1e-3)
    elif workload == "tiny":
        params = {"w": jnp.zeros((1, 1)), "b": jnp.zeros(1)}

        def lossf(p, xb, yb):
            return jnp.mean((xb @ p["w"] + p["b"] - yb) ** 2)
        opt = optax.sgd(1e-3)
    else:  # cnn: conv32-pool-conv64-pool-dense10, as shared/bench/anchor_fit.py
        ks = jax.random.split(key, 3)
        params = {"c1": jax.random.normal(ks[0], (3, 3, 1, 32)) * 0.1, "cb1": jnp.zeros(32),
                  "c2": jax.random.normal(ks[1], (3, 3, 32, 64)) * 0.05, "cb2": jnp.zeros(64),
                  "w": jax.random.normal(ks[2], (5 * 5 * 64, 10)) * 0.01, "b": jnp.zeros(10)}
        dn = ("NHWC", "HWIO", "NHWC")

        def pool(v):
            return jax.lax.reduce_window(v, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                         "VALID")

        def lossf(p, xb, yb):
            h = pool(jax.nn.relu(jax.lax.conv_general_dilated(
                xb, p["c1"], (1, 1), "VALID", dimension_numbers=dn) + p["cb1"]))
            h = pool(jax.nn.relu(jax.lax.conv_general_dilated(
                h, p["c2"], (1, 1), "VALID", dimension_numbers=dn) + p["cb2"]))
            logits = h.reshape(h.shape[0], -1) @ p["w"] + p["b"]
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()
        opt = optax.adam(1e-3)
    compute = {"mixed_bfloat16": jnp.bfloat16, "mixed_float16": jnp.float16}.get(policy())
    if compute is not None:  # mixed precision by hand: cast weights and inputs in the loss
        full_precision_loss = lossf

        def lossf(p, xb, yb):
            half = jax.tree_util.tree_map(lambda a: a.astype(compute), p)
            return full_precision_loss(half, xb.astype(compute), yb).astype(jnp.float32)
    state = opt.init(params)

    def step(carry, batch):
        p, s = carry
        loss, g = jax.value_and_grad(lossf)(p, *batch)
        u, s = opt.update(g, s, p)
        return (optax.apply_updates(p, u), s), loss
    nb = len(x) // bs

    def to_device():  # the host->device copy; in the timing only for jax_scan_copy
        return (jnp.asarray(x[: nb * bs]).reshape((nb, bs) + x.shape[1:]),
                jnp.asarray(y[: nb * bs]).reshape((nb, bs) + y.shape[1:]))
    xd, yd = to_device()
    if scan:
        epoch = jax.jit(lambda c, xs, ys: jax.lax.scan(step, c, (xs, ys)))

        def run(c, e):
            xs, ys = to_device() if copy_in_timing else (xd, yd)
            for _ in range(e):
                c, losses = epoch(c, xs, ys)
            return c, losses
    else:
        jstep = jax.jit(step)

        def run(c, e):
            for _ in range(e):
                for i in range(nb):
                    c, losses = jstep(c, (xd[i], yd[i]))
            return c, losses
    timed = TINY_EPOCHS["jax_scan" if scan else "jax_loop"] if workload == "tiny" else epochs
    carry, _ = run((params, state), 1)
    jax.block_until_ready(carry)
    t = time.perf_counter()
    carry, losses = run(carry, timed)
    jax.block_until_ready(carry)
    return time.perf_counter() - t, timed, float(np.asarray(losses).reshape(-1)[-1]), len(x)


def worker(impl, workload, n, epochs):
    if impl == "keras3":
        os.environ["KERAS_BACKEND"] = "jax"
        import keras as K
        out = run_keras(K, workload, n, epochs, impl)
    elif impl == "tfkeras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        out = run_keras(tf.keras, workload, n, epochs, impl)
    elif impl in ("jkeras", "jkeras_dev", "jkeras_dp"):
        if impl == "jkeras_dp":  # DataParallel over forced host devices (set before jax starts)
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                       f" --xla_force_host_platform_device_count={DP_DEVICES}")
        sys.path.insert(0, ROOT)
        import jkeras
        import jkeras.losses
        import jkeras.optimizers
        if impl == "jkeras_dp":
            import jkeras.distribution as dist
            dist.set_distribution(dist.DataParallel())
        if workload == "tiny" and impl != "jkeras_dev":  # also the cold call (compiling)
            x, y, _ = make_data("tiny", 0)
            m, loss, opt = keras_model(jkeras, "tiny")
            m.compile(optimizer=opt, loss=loss)
            t = time.perf_counter()
            m.fit(x, y, epochs=10000, batch_size=5, verbose=0)
            cold = time.perf_counter() - t
        out = run_keras(jkeras, workload, n, epochs, impl)
        if workload == "tiny" and impl in ("jkeras", "jkeras_dp"):
            out = out + (cold,)
    else:
        out = run_jax(workload, n, epochs, scan=impl.startswith("jax_scan"),
                      copy_in_timing=impl == "jax_scan_copy")
    dt, e, loss, n_samples = out[:4]
    rec = {"impl": impl, "workload": workload, "epochs": e, "seconds": dt,
           "samples_per_s": e * n_samples / dt, "epochs_per_s": e / dt, "final_loss": loss}
    if len(out) > 4:
        rec["cold_seconds"] = out[4]
    print(json.dumps(rec))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--worker", nargs=2)
    p.add_argument("--workloads", default="mlp,tiny,cnn")
    p.add_argument("--impls", default="jkeras,jax_scan,jax_loop,keras3,tfkeras")
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--cnn-n", type=int, default=2048, help="samples for the cnn workload")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--policies", default="float32", help="global dtype policies, e.g. "
                   "float32,mixed_bfloat16")
    a = p.parse_args()
    if a.worker:
        return worker(a.worker[0], a.worker[1], a.n, a.epochs)
    for pol in a.policies.split(","):
        os.environ["BENCH_POLICY"] = pol
        report(a, pol)


def report(a, pol):
    results = {}
    for wl in a.workloads.split(","):
        for impl in a.impls.split(","):
            n = a.cnn_n if wl == "cnn" else a.n
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", impl, wl,
                   "--n", str(n), "--epochs", str(a.epochs)]
            r = subprocess.run(cmd, capture_output=True, text=True)
            line = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
            results[(impl, wl)] = json.loads(line[-1]) if line else None
            if not line:
                tail = (r.stderr.strip().splitlines() or ["failed"])[-1]
                print(f"# {impl}/{wl}: {tail}", file=sys.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nfit throughput, {os.cpu_count()} CPU cores, load average {load:.1f}; "
          f"mlp n={a.n}, cnn n={a.cnn_n}, batch 128, {a.epochs} timed epochs; "
          f"tiny = 5 points, batch 5; dtype policy {pol}\n")
    print("| workload | impl | samples/s (tiny: epochs/s) | vs jax_scan | vs same-input scan "
          "| tiny 10,000-epoch s |")
    print("|---|---|---|---|---|---|")
    for wl in a.workloads.split(","):
        base = results.get(("jax_scan", wl))
        for impl in a.impls.split(","):
            r = results.get((impl, wl))
            if r is None:
                print(f"| {wl} | {impl} | n/a | | | |")
                continue
            key = "epochs_per_s" if wl == "tiny" else "samples_per_s"
            ratio = f"{r[key] / base[key]:.2f}x" if base else ""
            # host-array fits include the host->device copy; so does jax_scan_copy
            same = results.get(("jax_scan" if impl in ("jkeras_dev", "jax_scan") else
                                "jax_scan_copy", wl))
            same_ratio = f"{r[key] / same[key]:.2f}x" if same else ""
            tiny = ""
            if wl == "tiny":
                est = 10000 / r["epochs_per_s"]
                tiny = f"{est:.2f}" + ("" if r["epochs"] == 10000 else " (est.)")
                if "cold_seconds" in r:
                    tiny += f"; cold {r['cold_seconds']:.2f}"
            print(f"| {wl} | {impl} | {r[key]:,.0f} | {ratio} | {same_ratio} | {tiny} |")


if __name__ == "__main__":
    main()

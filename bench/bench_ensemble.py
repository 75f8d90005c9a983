"""Ensemble `fit` time: one model vs `jkeras.Ensemble` of N members vs N sequential solo fits.

usage: python bench/bench_ensemble.py [--quick] [--members 4,16] [--n 20000] [--epochs 3]
                                      [--hidden 256] [--batch-size 128] [--sequential 16]

Workload: MLP 784-hidden-10 (ReLU, logits), Adam, sparse categorical cross-entropy, random
MNIST-shaped data, batch 128, shuffled. Rows:
  one model       `model.fit` of a single model, warm (a first fit compiled it).
  ensemble N      `jkeras.Ensemble(model_fn, n=N).fit`, warm: all members in one program.
  sequential N    what a user writes without Ensemble: for each seed, build a model and fit
                  it (compilation included, as each new model compiles its own program).
                  `--sequential K` runs K of them and scales to N ("est." when K < N).
Warm times exclude compilation; "cold" is the first fit (compilation included). The target
of issue #6: 16 members in <= 2x the warm time of one model (on a GPU).
`--quick` (about a minute on a 2-core CPU): 4,096 samples, 2 epochs, sequential K = 2.
This is a script, not a test.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402

import jkeras  # noqa: E402


def make_model_fn(hidden):
    def model_fn():
        L = jkeras.layers
        m = jkeras.Sequential([jkeras.Input((784,)), L.Dense(hidden, activation="relu"),
                               L.Dense(10)])
        m.compile(optimizer=jkeras.optimizers.Adam(1e-3),
                  loss=jkeras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m
    return model_fn


def timed(fn):
    t = time.perf_counter()
    out = fn()
    jax.block_until_ready(jax.tree_util.tree_leaves(out))
    return time.perf_counter() - t, out


def bench_one(model_fn, x, y, args):
    jkeras.utils.set_random_seed(0)
    model = model_fn()
    fit = dict(batch_size=args.batch_size, verbose=0)
    cold, _ = timed(lambda: model.fit(x, y, epochs=1, **fit).history)
    warm, hist = timed(lambda: model.fit(x, y, epochs=args.epochs, **fit).history)
    return cold, warm, hist["loss"][-1]


def bench_ensemble(model_fn, n, x, y, args):
    ens = jkeras.Ensemble(model_fn, n=n)
    fit = dict(batch_size=args.batch_size, verbose=0)
    cold, _ = timed(lambda: ens.fit(x, y, epochs=1, **fit).history)
    warm, hist = timed(lambda: ens.fit(x, y, epochs=args.epochs, **fit).history)
    return cold, warm, hist["loss"][-1]


def bench_sequential(model_fn, k, x, y, args):
    """k solo runs as a user would write them (build, compile, fit: epochs + 1 in all, as the
    ensemble row's cold + warm fits)."""
    def run():
        for seed in range(k):
            jkeras.utils.set_random_seed(seed)
            model_fn().fit(x, y, epochs=args.epochs + 1, batch_size=args.batch_size, verbose=0)
    return timed(run)[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--members", default="4,16")
    p.add_argument("--n", type=int, default=None, help="training samples")
    p.add_argument("--epochs", type=int, default=None, help="timed (warm) epochs")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--sequential", type=int, default=None,
                   help="solo runs actually timed for the sequential rows (then scaled)")
    args = p.parse_args()
    args.n = args.n or (4096 if args.quick else 20000)
    args.epochs = args.epochs or (2 if args.quick else 3)
    members = [int(m) for m in args.members.split(",")]
    k_seq = args.sequential or (2 if args.quick else max(members))

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.n, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=(args.n,)).astype(np.int32)
    model_fn = make_model_fn(args.hidden)

    one_cold, one_warm, one_loss = bench_one(model_fn, x, y, args)
    rows = [("one model", 1, one_cold, one_warm, f"{one_loss:.4f}")]
    for n in members:
        cold, warm, loss = bench_ensemble(model_fn, n, x, y, args)
        rows.append((f"Ensemble(n={n})", n, cold, warm,
                     f"{np.min(loss):.4f}..{np.max(loss):.4f}"))
    seq_k = bench_sequential(model_fn, k_seq, x, y, args)

    dev = jax.devices()[0]
    print(f"\n{dev.platform} ({dev.device_kind}), jax {jax.__version__}; MLP 784-{args.hidden}-10, "
          f"Adam, {args.n} samples, batch {args.batch_size}, {args.epochs} timed epochs "
          f"(cold = first 1-epoch fit, compilation included)\n")
    print("| setup | members | cold fit (s) | warm fit (s) | warm vs one model | "
          "member-epochs/s | final loss |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, n, cold, warm, loss in rows:
        rate = n * args.epochs / warm
        print(f"| {name} | {n} | {cold:.2f} | {warm:.3f} | {warm / one_warm:.2f}x | "
              f"{rate:.1f} | {loss} |")
    for n in members:
        total = seq_k * n / k_seq if k_seq < n else seq_k * n / k_seq
        est = " est." if k_seq < n else ""
        ens_total = next(c + w for name, m, c, w, _ in rows if m == n and name != "one model")
        print(f"| sequential solo fits | {n} | {total:.2f}{est} (cold + warm, all members) | "
              f"{n * one_warm:.3f} (n x one model) | {n:.2f}x | "
              f"{n * args.epochs / (n * one_warm):.1f} | Ensemble cold+warm is "
              f"{total / ens_total:.1f}x faster |")


if __name__ == "__main__":
    main()

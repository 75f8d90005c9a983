"""Ensemble `fit` time: one model vs `jkeras.Ensemble` of N members vs N sequential solo fits.

usage: python bench/bench_ensemble.py [--quick] [--members 4,16] [--n 20000] [--epochs 3]
                                      [--hidden 256] [--batch-size 128] [--sequential 16]

Workload: MLP 784-hidden-10 (ReLU, logits), Adam, sparse categorical cross-entropy, random
MNIST-shaped data, batch 128, shuffled. Rows:
  one model       `model.fit` of a single model, warm (a first fit compiled it).
  ensemble N      `jkeras.Ensemble(model_fn, n=N).fit`, warm: all members in one program.
  sequential N    what a user writes without Ensemble: for each seed, build a model and fit
                  it (compilation included, as each new model compiles its own program).
                  `--sequential K` runs K of them and scales to N ("est." when K < N;
                  default K = the largest N, 2 with --quick).
Warm times exclude compilation (best of --repeats fits); the end-to-end table includes it.
The target of issue #6: 16 members in <= 2x the warm time of one model (on a GPU).
`--quick` (about a minute on a 2-core CPU): 4,096 samples, 2 epochs, 1 repeat, K = 2.
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


def cold_and_warm(fit, args):
    """(first 1-epoch fit with compilation, best of `repeats` warm fits, last losses)."""
    cold, _ = timed(lambda: fit(1))
    runs = [timed(lambda: fit(args.epochs)) for _ in range(args.repeats)]
    return cold, min(t for t, _ in runs), runs[-1][1]["loss"][-1]


def bench_one(model_fn, x, y, args):
    jkeras.utils.set_random_seed(0)
    model = model_fn()
    return cold_and_warm(lambda e: model.fit(x, y, epochs=e, batch_size=args.batch_size,
                                             verbose=0).history, args)


def bench_ensemble(model_fn, n, x, y, args):
    ens = jkeras.Ensemble(model_fn, n=n)
    return cold_and_warm(lambda e: ens.fit(x, y, epochs=e, batch_size=args.batch_size,
                                           verbose=0).history, args)


def bench_sequential(model_fn, k, x, y, args):
    """k solo runs as a user would write them: build, compile, fit (1 + repeats * epochs
    epochs, the ensemble rows' cold + warm fits)."""
    def run():
        for seed in range(k):
            jkeras.utils.set_random_seed(seed)
            model_fn().fit(x, y, epochs=1 + args.repeats * args.epochs,
                           batch_size=args.batch_size, verbose=0)
    return timed(run)[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--members", default="4,16")
    p.add_argument("--n", type=int, default=None, help="training samples")
    p.add_argument("--epochs", type=int, default=None, help="timed (warm) epochs")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--repeats", type=int, default=None, help="warm fits timed (best kept)")
    p.add_argument("--sequential", type=int, default=None,
                   help="solo runs actually timed for the sequential rows (then scaled)")
    args = p.parse_args()
    args.n = args.n or (4096 if args.quick else 20000)
    args.epochs = args.epochs or (2 if args.quick else 3)
    args.repeats = args.repeats or (1 if args.quick else 3)
    members = [int(m) for m in args.members.split(",")]
    k_seq = args.sequential or (2 if args.quick else max(members))

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.n, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=(args.n,)).astype(np.int32)
    model_fn = make_model_fn(args.hidden)

    one_cold, one_warm, one_loss = bench_one(model_fn, x, y, args)
    ens = {n: bench_ensemble(model_fn, n, x, y, args) for n in members}
    seq = bench_sequential(model_fn, k_seq, x, y, args)

    dev = jax.devices()[0]
    print(f"\n{dev.platform} ({dev.device_kind}), jax {jax.__version__}; MLP 784-{args.hidden}-10, "
          f"Adam, {args.n} samples, batch {args.batch_size}, shuffled\n")
    print(f"Warm `fit` of {args.epochs} epochs (compilation excluded, best of {args.repeats}):\n")
    print("| setup | members | warm fit (s) | vs one model | member-epochs/s | final loss |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| one model | 1 | {one_warm:.3f} | 1.00x | {args.epochs / one_warm:.1f} | "
          f"{one_loss:.4f} |")
    for n, (_, warm, loss) in ens.items():
        print(f"| Ensemble(n={n}) | {n} | {warm:.3f} | {warm / one_warm:.2f}x | "
              f"{n * args.epochs / warm:.1f} | {np.min(loss):.4f}..{np.max(loss):.4f} |")
        print(f"| {n} sequential fits of one model | {n} | {n * one_warm:.3f} | {n:.2f}x | "
              f"{args.epochs / one_warm:.1f} | |")
    print(f"\nEnd to end (build, compile, 1 + {args.repeats} x {args.epochs} epochs):\n")
    print("| setup | members | seconds | Ensemble speed-up |")
    print("|---|---:|---:|---:|")
    for n, (cold, warm, _) in ens.items():
        total = cold + args.repeats * warm
        seq_n = seq * n / k_seq
        est = "" if k_seq == n else f" (est.: {k_seq} runs timed, scaled)"
        print(f"| Ensemble(n={n}) | {n} | {total:.2f} | |")
        print(f"| {n} solo runs in a loop | {n} | {seq_n:.2f}{est} | {seq_n / total:.1f}x |")


if __name__ == "__main__":
    main()

"""Multi-device checks, run in a subprocess with XLA_FLAGS=--xla_force_host_platform_device_count=4
(the flag must be set before JAX starts). Prints one JSON object: check name -> measurements;
tests/distribution/test_data_parallel.py asserts on them."""
import json
import sys

import jax
import numpy as np

import jkeras
from jkeras import distribution, layers

SEEN = []  # shardings of a layer's input, recorded while programs are traced


class ShardingProbe(layers.Layer):
    """Identity layer recording how its input is laid out inside the compiled step."""

    def call(self, x):
        jax.debug.inspect_array_sharding(x, callback=SEEN.append)
        return x


class CustomStep(jkeras.Sequential):
    """Keras 3's train_step seam (the default step through super())."""

    def train_step(self, state, data):
        return super().train_step(state, data)


def mlp(bn_dropout=False, probe=False, custom=False):
    jkeras.utils.set_random_seed(0)
    body = [layers.Input((20,))]
    body += [ShardingProbe()] if probe else []
    body += [layers.Dense(32, activation="relu")]
    body += [layers.BatchNormalization(), layers.Dropout(0.3)] if bn_dropout else []
    body += [layers.Dense(3, activation="softmax")]
    model = (CustomStep if custom else jkeras.Sequential)(body)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=203):
    rs = np.random.RandomState(0)
    return rs.randn(n, 20).astype("float32"), rs.randint(0, 3, n)


def weights_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


def hist_diff(a, b):
    assert a.keys() == b.keys(), (a.keys(), b.keys())
    return max(float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k])))) for k in a)


class BatchHook(jkeras.callbacks.Callback):
    """Listens to batches: fit runs chunk by chunk instead of fused epochs."""

    def on_train_batch_end(self, batch, logs=None):
        self.last = batch


class Batches:
    """A Keras-style dataset of host batches (the last one partial: 203 % 24 = 11 rows)."""

    def __init__(self, x, y, size):
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, i):
        s = slice(i * self.size, (i + 1) * self.size)
        return self.x[s], self.y[s]


def run(dist, fit_kwargs, bn_dropout=False, gen=False, eager=False, eval_batch=(20, 24),
        custom=False):
    """Fit + evaluate + predict under `dist` -> results to compare with the 1-device run."""
    distribution.set_distribution(dist)
    try:
        model = mlp(bn_dropout, custom=custom)
        if eager:
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"], run_eagerly=True)
        x, y = data()
        if gen:
            hist = model.fit(Batches(x, y, 24), epochs=3, verbose=0, **fit_kwargs).history
        else:
            hist = model.fit(x, y, verbose=0, **fit_kwargs).history
        ev = model.evaluate(x, y, batch_size=eval_batch[0], verbose=0)
        pred = model.predict(x, batch_size=eval_batch[1], verbose=0)
        return model.get_weights(), hist, ev, pred, model
    finally:
        distribution.set_distribution(None)


def compare(name, fit_kwargs, dists, out, **kw):
    ref = run(None, fit_kwargs, **kw)
    for label, dist in dists.items():
        got = run(dist, fit_kwargs, **kw)
        out[f"{name}/{label}"] = {
            "weights": weights_diff(ref[0], got[0]), "history": hist_diff(ref[1], got[1]),
            "evaluate": float(np.max(np.abs(np.subtract(ref[2], got[2])))),
            "predict": float(np.max(np.abs(ref[3] - got[3]))),
            "pred_shape": list(got[3].shape), "epochs": len(got[1]["loss"]),
            "param_devices": len(got[4].weights[0].value.sharding.device_set)}


def check_fit(out):
    # 203 samples: the last batches (203 % 32 = 11 rows, 203 % 20 = 3) do not divide by 4.
    # (2 devices: see check_state.)
    compare("fused_bn_dropout", dict(batch_size=32, epochs=3, validation_split=0.2),
            {"dp4": distribution.DataParallel()}, out, bn_dropout=True)


def check_paths(out):
    dp4 = distribution.DataParallel()
    compare("chunks", dict(batch_size=10, epochs=2, callbacks=[BatchHook()], shuffle=False),
            {"dp4": dp4}, out, bn_dropout=True)
    compare("generator", {}, {"dp4": dp4}, out, bn_dropout=True, gen=True)
    compare("custom_step", dict(batch_size=32, epochs=2), {"dp4": dp4}, out, bn_dropout=True,
            custom=True)


def check_eager(out):
    # op by op (slow): few steps; 203 % 64 = 11 and 203 % 100 = 3 rows do not divide by 4.
    compare("eager", dict(batch_size=64, epochs=1), {"dp4": distribution.DataParallel()}, out,
            eager=True, eval_batch=(100, 100))


def check_state(out):
    dp4, dp2 = distribution.DataParallel(), distribution.DataParallel(devices=["cpu:1", "cpu:3"])
    # Inside the compiled step, the batch is split over the 4 devices.
    SEEN.clear()
    x, y = data()
    with dp4.scope():
        model = mlp(probe=True)
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
        inside = [(len(s.device_set), str(s.spec)) for s in SEEN
                  if isinstance(s, jax.sharding.NamedSharding)]
        shards = model.weights[0].value.sharding
        out["inside"] = {"batch_shardings": inside, "param_spec": str(shards.spec),
                         "param_devices": len(shards.device_set)}
    out["scope_restored"] = distribution.distribution() is None

    # One model moving between distributions (programs are not reused across them), then back
    # to one device with set_distribution(None): the weights leave the mesh.
    model = mlp(probe=True)
    SEEN.clear()
    for dist in (dp4, dp2, None):
        distribution.set_distribution(dist)
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        distribution.set_distribution(None)
    ref = mlp(probe=True)  # (same seed, so the same initial weights and shuffles)
    for _ in range(3):
        ref.fit(x, y, batch_size=32, epochs=1, verbose=0)
    out["switch"] = {
        "devices_seen": sorted({len(s.device_set) for s in SEEN}),
        "program_keys": sorted({str(k[-1]) for k in model.engine.programs}),
        "final_devices": len(model.weights[0].value.sharding.device_set),
        "weights": weights_diff(model.get_weights(), ref.get_weights())}

    # train_on_batch / predict_on_batch
    ref, model = mlp(), mlp()
    with dp4.scope():
        a = model.train_on_batch(x[:12], y[:12])
        p = model.predict_on_batch(x[:12])
    b = ref.train_on_batch(x[:12], y[:12])
    out["on_batch"] = {"loss": float(np.max(np.abs(np.subtract(a, b)))),
                       "predict": float(np.max(np.abs(p - ref.predict_on_batch(x[:12]))))}


def main(group):
    out = {"device_count": jax.device_count()}
    {"fit": check_fit, "paths": check_paths, "eager": check_eager, "state": check_state}[group](out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])

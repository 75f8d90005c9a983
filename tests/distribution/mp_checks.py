"""ModelParallel checks on 8 forced CPU devices, run in a subprocess (see conftest.py): a small
Transformer block trained on a 2x4 mesh against one device, the layouts and per-device bytes of
its weights, bad layouts, and saving. Prints one JSON object; test_model_parallel.py asserts."""
import json
import os
import sys

import jax
import numpy as np

import jkeras
from jkeras import distribution, layers

# Every weight split 4 ways over "model" (FSDP-like), keyed by Keras path regexes.
LAYOUTS = {
    "embed/embeddings": (None, "model"),
    "mha/(query|key|value)/kernel": (None, "model", None),
    "mha/(query|key|value)/bias": ("model", None),
    "mha/attention_output/kernel": ("model", None, None),
    "(ffn|out|mha/attention_output)/bias": ("model",),
    "ln/(gamma|beta)": ("model",),
    "(ffn|out)/kernel": (None, "model"),
}


def transformer(out_units=4):
    jkeras.utils.set_random_seed(0)
    inp = layers.Input((6,), dtype="int32")
    x = layers.Embedding(16, 8, name="embed")(inp)
    a = layers.MultiHeadAttention(4, 4, name="mha")(x, x)
    x = layers.LayerNormalization(name="ln")(layers.Add()([x, a]))
    x = layers.Dense(16, activation="relu", name="ffn")(x)
    model = jkeras.Model(inp, layers.Dense(out_units, name="out")(x))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def data():
    rs = np.random.RandomState(0)
    return rs.randint(0, 16, (36, 6)), rs.randn(36, 6, 4).astype("float32")


def layout_map(mesh):
    lm = distribution.LayoutMap(mesh)
    for key, axes in LAYOUTS.items():
        lm[key] = axes
    return lm


def tree_items(model):
    leaves = jax.tree_util.tree_flatten_with_path(model.get_variables()["params"])[0]
    return [("/".join(k.key for k in path), leaf) for path, leaf in leaves]


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


def fit(model, x, y):
    hist = model.fit(x, y, batch_size=12, epochs=3, verbose=0).history
    return hist, model.evaluate(x, y, verbose=0), model.predict(x, verbose=0)


def check_train(out, tmp):
    x, y = data()
    ref = transformer()
    ref_hist, ref_eval, ref_pred = fit(ref, x, y)
    mesh = distribution.DeviceMesh((2, 4), ("batch", "model"), devices=distribution.list_devices())
    mp = distribution.ModelParallel(layout_map=layout_map(mesh), batch_dim_name="batch")
    with mp.scope():
        model = transformer()
        hist, ev, pred = fit(model, x, y)
        layout_ok = {path: leaf.sharding.is_equivalent_to(
            mp.layout_map[path].backend_layout, leaf.ndim) for path, leaf in tree_items(model)}
        specs = {path: [str(leaf.sharding.spec), len(leaf.sharding.device_set)]
                 for path, leaf in tree_items(model)}
        full = sum(leaf.nbytes for _, leaf in tree_items(model))
        per_device = {}
        for _, leaf in tree_items(model):
            for shard in leaf.addressable_shards:
                per_device[shard.device.id] = per_device.get(shard.device.id, 0) + shard.data.nbytes
        slots = [str(a.sharding.spec) for a in jax.tree_util.tree_leaves(
            model.optimizer._last_state) if getattr(a, "ndim", 0) == 3]
        model.save(os.path.join(tmp, "mp.keras"))
        model.save_weights(os.path.join(tmp, "mp.weights.h5"))
    restored = jkeras.saving.load_model(os.path.join(tmp, "mp.keras"))
    plain = transformer()
    plain.load_weights(os.path.join(tmp, "mp.weights.h5"))
    out["train"] = {
        "weights": max_diff(ref.get_weights(), model.get_weights()),
        "history": max(abs(a - b) for k in ref_hist for a, b in zip(ref_hist[k], hist[k])),
        "evaluate": max_diff(ref_eval, ev), "predict": max_diff([ref_pred], [pred]),
        "specs": specs, "bytes_full": int(full), "bytes_per_device": per_device,
        "slot_specs": slots,
        "saved_keras": max_diff(model.get_weights(), restored.get_weights()),
        "saved_h5": max_diff(model.get_weights(), plain.get_weights()),
        "layout_ok": layout_ok}


def check_errors(out, tmp):
    x, y = data()
    mesh = distribution.DeviceMesh((2, 4), ("batch", "model"))
    errors = {}
    for name, key, axes in [("divide", "out/kernel", (None, "model")),  # 3 units, 4 devices
                            ("rank", "ffn/kernel", ("model",))]:  # rank 1 for a 2D kernel
        lm = distribution.LayoutMap(mesh)
        lm[key] = axes
        with distribution.ModelParallel(layout_map=lm).scope():
            model = transformer(out_units=3)
            before = model.get_weights()
            try:
                model.fit(x, y[..., :3], batch_size=12, epochs=1, verbose=0)
            except ValueError as err:
                errors[name] = str(err)
            errors[name + "_unchanged"] = max_diff(before, model.get_weights())
    try:
        distribution.DeviceMesh((4, 4), ("batch", "model"))
    except ValueError as err:
        errors["mesh"] = str(err)
    out["errors"] = errors


def main(group, tmp):
    out = {"device_count": jax.device_count()}
    {"train": check_train, "errors": check_errors}[group](out, tmp)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Keras 3 on JAX's side of tests/saving/test_state_tree_keras.py, run in a subprocess
(KERAS_BACKEND=jax): `python keras_jax_state_tree.py <work dir>`. Prints one JSON object.

For each case of state_tree_cases.py: the model with the weights and optimizer variables of
jkeras's `<case>.weights.h5` (written after a jkeras fit), its `get_state_tree("numpy_array")`
(`k_<case>.npz`, paths with "/" written as "|") and the structure after an evaluate (which
builds the compiled metrics). Then the Orbax checkpoints both ways: jkeras's `jk_<case>`
directories loaded with `model.load_weights` / `keras.saving.load_model` (and, to compare,
`load_model` of Keras's own checkpoint of the same model), and Keras's `k_ckpt_<case>`
written by OrbaxCheckpoint during a fit that then runs one more epoch.
"""
import json
import os
import sys

import numpy as np

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402

from state_tree_cases import CASES, build, fit_args  # noqa: E402

RESUMED = ("sequential", "loss_scale")


def flat(tree):
    """Keras's own flattening ("a/b/c" paths)."""
    return {k: np.asarray(v) for k, v in keras.Model._flatten_nested_dict(None, tree).items()}


def save(path, arrays):
    np.savez(path, **{k.replace("/", "|"): v for k, v in arrays.items()})


def structure(tree):
    return {k: [list(v.shape), str(v.dtype)] for k, v in flat(tree).items()}


def predictions(model, x):
    out = model.predict(x, verbose=0)
    return np.concatenate([np.ravel(o) for o in out]) if isinstance(out, list) else out


def restored(case, ckpt):
    model = build(keras, case)
    # Keras assigns only variables that exist: unbuilt, its optimizer has no slots
    model.optimizer.build(model.trainable_variables)
    model.load_weights(ckpt)
    return model


def diff(a, b, x):
    return float(np.max(np.abs(predictions(a, x) - predictions(b, x))))


def main(work):
    result = {}
    for case in CASES:
        x, y = fit_args(case)
        model = build(keras, case)
        model.optimizer.build(model.trainable_variables)
        model.load_weights(os.path.join(work, f"{case}.weights.h5"))
        out = {"iterations": int(model.optimizer.iterations)}
        try:
            tree = model.get_state_tree("numpy_array")
            save(os.path.join(work, f"k_{case}.npz"), flat(tree))
            out["structure"] = structure(tree)
            model.evaluate(x, y, verbose=0, batch_size=8)
            out["after_evaluate"] = structure(model.get_state_tree())
        except Exception as e:  # recorded: a Keras limitation the test names
            out["error"] = f"{type(e).__name__}: {e}"
        ckpt = os.path.join(work, f"jk_{case}")
        if os.path.isdir(ckpt):  # jkeras's OrbaxCheckpoint -> Keras
            model = restored(case, ckpt)
            save(os.path.join(work, f"k_from_jk_{case}.npz"),
                 {**flat(model.get_state_tree("numpy_array")),
                  "predictions": predictions(model, x)})
            out["from_jk_iterations"] = int(model.optimizer.iterations)
            loaded = keras.saving.load_model(ckpt)
            out["load_model_iterations"] = int(loaded.optimizer.iterations)
            out["load_model_diff"] = diff(loaded, model, x)
            # Keras with its own checkpoint of the same model, for comparison
            own = os.path.join(work, f"k_own_{case}")
            build(keras, case).fit(x, y, batch_size=8, epochs=1, verbose=0,
                                   callbacks=[keras.callbacks.OrbaxCheckpoint(own)])
            out["own_load_model_diff"] = diff(keras.saving.load_model(own),
                                              restored(case, own), x)
        if case in RESUMED:  # Keras's OrbaxCheckpoint -> jkeras
            model = build(keras, case)
            kdir = os.path.join(work, f"k_ckpt_{case}")
            model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                      callbacks=[keras.callbacks.OrbaxCheckpoint(kdir)])
            at_ckpt = predictions(model, x)
            tree = flat(model.get_state_tree("numpy_array"))
            model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
            save(os.path.join(work, f"k_ckpt_{case}.npz"), {
                **tree, "predictions": at_ckpt, "resumed_predictions": predictions(model, x),
                **{f"resumed_weight_{i}": w for i, w in enumerate(model.get_weights())}})
            out["resumed_iterations"] = int(model.optimizer.iterations)
        result[case] = out
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])

"""Every public name of keras.optimizers (and .schedules), keras.initializers,
keras.activations and keras.callbacks exists in jkeras's namespace of the same name, or is
listed with a reason in that namespace's `LEFT_OUT = {name: reason}`; and nothing listed as
left out is in fact provided."""
import keras
import pytest

import jkeras

NAMESPACES = ["optimizers", "optimizers.schedules", "initializers", "activations", "callbacks"]


def _resolve(root, dotted):
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_keras_name_is_provided_or_left_out_with_a_reason(namespace):
    theirs, ours = _resolve(keras, namespace), _resolve(jkeras, namespace)
    left_out = getattr(ours, "LEFT_OUT", {})
    assert all(isinstance(r, str) and r for r in left_out.values())
    names = sorted(n for n in dir(theirs) if not n.startswith("_"))
    missing = [n for n in names if not hasattr(ours, n) and n not in left_out]
    assert not missing, f"jkeras.{namespace} lacks {missing} (add them or list in LEFT_OUT)"
    stale = [n for n in left_out if hasattr(ours, n)]
    assert not stale, f"jkeras.{namespace}.LEFT_OUT lists provided names {stale}"
    unknown = [n for n in left_out if n not in names]
    assert not unknown, f"jkeras.{namespace}.LEFT_OUT lists non-Keras names {unknown}"


@pytest.mark.parametrize("namespace", ["optimizers", "initializers", "activations"])
def test_keras_string_identifiers_resolve(namespace):
    """Each name Keras's `get` accepts as a string works with jkeras's `get`."""
    theirs, ours = _resolve(keras, namespace), _resolve(jkeras, namespace)
    import importlib
    src = importlib.import_module(f"keras.src.{namespace}")
    table = getattr(src, "ALL_OBJECTS_DICT", {})
    left_out = getattr(ours, "LEFT_OUT", {})
    for name, obj in table.items():
        if getattr(obj, "__name__", name) in left_out or name in left_out:
            continue
        if name.lower() in ("initializer", "optimizer"):
            continue  # the abstract base classes, not identifiers
        if namespace == "initializers" and name.lower() == "constant":
            continue  # tf.keras itself cannot build Constant from an empty config
        try:
            theirs.get(name)
        except (KeyError, TypeError):
            continue  # a wrapper (LossScaleOptimizer): Keras's own get cannot build it from a name
        assert ours.get(name) is not None, name

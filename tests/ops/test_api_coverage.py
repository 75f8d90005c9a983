"""Every public name of keras.ops (and ops.nn / ops.image / ops.linalg) exists in jkeras.ops,
or is listed in `jkeras.ops.UNSUPPORTED` with the reason it cannot exist on JAX."""
import inspect

import pytest

import jkeras
from jkeras import ops


def _public(module):
    return {n for n in dir(module) if not n.startswith("_")
            and not inspect.ismodule(getattr(module, n))}


@pytest.mark.parametrize("namespace", ["", "nn", "image", "linalg"])
def test_every_keras_op_exists_or_is_listed_unsupported(namespace, tf):
    keras_ns = tf.keras.ops if not namespace else getattr(tf.keras.ops, namespace)
    ours = ops if not namespace else getattr(ops, namespace)
    missing = sorted(n for n in _public(keras_ns) if not hasattr(ours, n)
                     and n not in ops.UNSUPPORTED)
    assert not missing, f"keras.ops.{namespace} names missing from jkeras: {missing}"
    for name in _public(keras_ns) - set(ops.UNSUPPORTED):
        assert callable(getattr(ours, name)), name


def test_unsupported_entries_give_reasons_and_really_are_absent():
    for name, reason in ops.UNSUPPORTED.items():
        assert isinstance(reason, str) and reason, name
        assert not hasattr(ops, name), name


@pytest.mark.parametrize("namespace", ["random", "tree"])
def test_random_and_tree_namespaces_are_complete(namespace, tf):
    keras_ns = getattr(tf.keras, namespace)
    missing = sorted(_public(keras_ns) - set(dir(getattr(jkeras, namespace))))
    assert not missing, missing


# keras.backend with the JAX backend (the TF backend adds legacy tf.keras functions).
KERAS_JAX_BACKEND_NAMES = {
    "backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
    "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
    "set_floatx", "set_image_data_format", "standardize_dtype"}


def test_backend_namespace_is_complete():
    assert KERAS_JAX_BACKEND_NAMES <= set(dir(jkeras.backend))


def test_keras_argument_names_and_defaults():
    """Same parameter names and defaults as Keras, for every op jkeras defines."""
    import keras
    mismatched = []
    for namespace in ("", "nn", "image", "linalg"):
        keras_ns = keras.ops if not namespace else getattr(keras.ops, namespace)
        ours = ops if not namespace else getattr(ops, namespace)
        for name in _public(keras_ns) - set(ops.UNSUPPORTED):
            theirs = inspect.signature(getattr(keras_ns, name)).parameters
            mine = inspect.signature(getattr(ours, name)).parameters
            if [(p.name, p.default) for p in theirs.values()] != \
                    [(p.name, p.default) for p in mine.values()]:
                mismatched.append(name)
    assert not mismatched, mismatched

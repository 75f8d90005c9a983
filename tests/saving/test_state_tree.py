"""`set_state_tree` rules beyond Keras's parity (test_state_tree_keras.py): partial trees, names
numbered differently (`sequential_1`, `adam_2`), trees that do not fit, the layout of optimizers
Keras cannot write (Adafactor) or has no form for (optax), and a model without optimizer
reading a full checkpoint."""
import numpy as np
import optax
import pytest

import jkeras
from jkeras import layers
from jkeras.saving import state_tree


def make_model(optimizer="adam", name=None):
    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(4, name="d1"),
                               layers.Dense(2, name="d2")], name=name)
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def data():
    rs = np.random.RandomState(1)
    return rs.randn(16, 3).astype("float32"), rs.randn(16, 2).astype("float32")


def flat(tree):
    return {f"{s}/{p}": np.asarray(v) for s in tree for p, v in state_tree.flatten(tree[s]).items()}


def test_tree_of_renamed_model_and_optimizer_resumes_exactly():
    x, y = data()
    first = make_model()
    first.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    tree = first.get_state_tree("numpy_array")
    second = make_model()  # `sequential_1` with `adam_1`: groups matched by their entries
    assert second.name != first.name and second.optimizer.name != first.optimizer.name
    second.set_state_tree(tree)
    assert int(second.optimizer.iterations) == 4
    theirs, mine = flat(tree), flat(second.get_state_tree())
    renamed = {p.replace(first.name, second.name).replace(
        f"/{first.optimizer.name}/", f"/{second.optimizer.name}/"): v for p, v in theirs.items()
        if "mean_absolute_error" not in p}  # not built before a fit: not read (as Keras)
    assert set(renamed) == set(mine)
    for path, value in renamed.items():
        np.testing.assert_array_equal(mine[path], value, err_msg=path)
    first.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    second.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_partial_tree_assigns_only_what_it_holds():
    model = make_model(name="m")
    before = model.get_weights()
    model.set_state_tree({"trainable_variables": {"m": {"d2": {"bias": np.ones(2)}}}})
    after = model.get_weights()
    np.testing.assert_array_equal(after[3], np.ones(2))
    for a, b in zip(before[:3], after[:3]):
        np.testing.assert_array_equal(a, b)


def test_trees_that_do_not_fit_are_refused():
    model = make_model(name="m")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"not in the model: trainable_variables/m/d3/kernel"):
        model.set_state_tree({"trainable_variables": {"m": {"d3": {"kernel": np.ones((4, 2))}}}})
    with pytest.raises(ValueError, match=r"trainable_variables/m/d2/bias is \[2\] in the model "
                                         r"but \[3\] in the checkpoint"):
        model.set_state_tree({"trainable_variables": {"m": {"d2": {"bias": np.ones(3)}}}})
    with pytest.raises(ValueError, match="layout jkeras wrote before"):
        model.set_state_tree({"optimizer_variables": {"iterations": 1, "slots": {}}})
    with pytest.raises(TypeError, match="expects a dict state tree"):
        model.set_state_tree([1])
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer, names", [
    (lambda: jkeras.optimizers.Adafactor(name="adafactor"),
     ["iteration", "learning_rate", "m_d1_kernel_r", "m_d1_kernel_c", "m_d1_kernel_velocity"]),
    (lambda: jkeras.optimizers.OptaxOptimizer(optax.adam(1e-2), name="optax"),
     ["iteration", "optax_state/0/count"]),
])
def test_optimizers_without_a_keras_tree_round_trip(optimizer, names):
    """Keras cannot write Adafactor's state tree (its factored slots share one path); jkeras
    names them `<variable>_r` / `_c`. A wrapped optax transform keeps its own state tree."""
    x, y = data()
    model = make_model(optimizer(), name="m")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    tree = model.get_state_tree("numpy_array")
    group = tree["optimizer_variables"][model.optimizer.name]
    assert [n for n in names if n not in state_tree.flatten(group)] == []
    other = make_model(optimizer(), name="m")
    other.set_state_tree(tree)
    for path, value in flat(other.get_state_tree()).items():
        np.testing.assert_array_equal(value, flat(tree)[path], err_msg=path)


def test_model_without_optimizer_reads_a_full_checkpoint(tmp_path):
    x, y = data()
    model = make_model(name="m")
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[jkeras.callbacks.OrbaxCheckpoint(tmp_path, save_on_background=False)])
    bare = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(4, name="d1"),
                              layers.Dense(2, name="d2")], name="m")
    bare.load_weights(tmp_path)
    np.testing.assert_allclose(bare.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    assert set(bare.get_state_tree()["optimizer_variables"]) == set()


def test_checkpoint_with_python_scalars_is_read(tmp_path):
    """Keras on TensorFlow writes 0-d values as Python scalars (its `_get_state_tree`)."""
    import orbax.checkpoint as ocp
    x, y = data()
    model = make_model(name="m")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    tree = jax_free(model.get_state_tree("numpy_array"))
    with ocp.v1.Context():
        ocp.v1.save_checkpointables(tmp_path / "3", {"pytree": tree})
    other = make_model(name="m")
    other.load_weights(tmp_path / "3")
    assert int(other.optimizer.iterations) == 4
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def jax_free(tree):
    return {k: jax_free(v) if isinstance(v, dict) else v.item() if v.ndim == 0 else v
            for k, v in tree.items()}

"""Ensemble: bad arguments raise clear ValueErrors before anything is traced."""
import numpy as np
import pytest

import jkeras
from jkeras import layers


def mlp(units=4):
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(units), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


@pytest.mark.parametrize("n", [0, -2, 1.5, True, "4"])
def test_bad_n(n):
    with pytest.raises(ValueError, match="positive integer"):
        jkeras.Ensemble(mlp, n=n)


def test_bad_seeds():
    with pytest.raises(ValueError, match="one seed per member"):
        jkeras.Ensemble(mlp, n=3, seeds=[1, 2])
    with pytest.raises(ValueError, match="must be an integer"):
        jkeras.Ensemble(mlp, n=2, seeds=[1, "2"])


def test_model_fn_must_build_a_new_model():
    with pytest.raises(ValueError, match="callable"):
        jkeras.Ensemble(mlp(), n=2)
    with pytest.raises(ValueError, match="must return a jkeras Model"):
        jkeras.Ensemble(lambda: layers.Dense(3), n=2)
    shared = mlp()
    with pytest.raises(ValueError, match="same model object twice"):
        jkeras.Ensemble(lambda: shared, n=2)


def test_mismatched_architectures():
    sizes = iter([4, 5])
    with pytest.raises(ValueError, match="same architecture.*member 1"):
        jkeras.Ensemble(lambda: mlp(next(sizes)), n=2)


def test_mismatched_architecture_found_when_built_lazily():
    sizes = iter([4, 5])

    def lazy():
        m = jkeras.Sequential([layers.Dense(next(sizes)), layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        return m

    ens = jkeras.Ensemble(lazy, n=2)
    with pytest.raises(ValueError, match="same architecture"):
        ens.fit(np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)


def test_mismatched_compile_settings():
    rates = iter([0.1, 0.2])

    def fn():
        m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(1)])
        m.compile(optimizer=jkeras.optimizers.SGD(next(rates)), loss="mse")
        return m

    ens = jkeras.Ensemble(fn, n=2)
    with pytest.raises(ValueError, match="compiled the same way.*`optimizer`"):
        ens.fit(np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)


def test_arrays_only_and_member_index():
    ens = jkeras.Ensemble(mlp, n=2)
    batches = ((np.zeros((2, 3), "float32"), np.zeros((2, 1), "float32")) for _ in range(2))
    with pytest.raises(ValueError, match="takes arrays"):
        ens.fit(batches, verbose=0)
    with pytest.raises(ValueError, match="expects input data"):
        ens.predict(None)
    with pytest.raises(ValueError, match=r"integer in \[0, 2\)"):
        ens.member(2)
    with pytest.raises(ValueError, match="leading member axis"):
        ens.set_weights([np.zeros((3, 4))] * 4)


def test_models_with_a_custom_train_step_are_refused():
    import numpy as np
    import pytest

    import jkeras

    class Custom(jkeras.Model):
        def train_step(self, state, data):
            return super().train_step(state, data)

    def model_fn():
        inp = jkeras.Input((3,))
        model = Custom(inp, jkeras.layers.Dense(1)(inp))
        model.compile(optimizer="sgd", loss="mse")
        return model
    ens = jkeras.Ensemble(model_fn, n=2)
    with pytest.raises(ValueError, match="overrides \\['train_step'\\]"):
        ens.fit(np.ones((8, 3), np.float32), np.ones((8, 1), np.float32), verbose=0)

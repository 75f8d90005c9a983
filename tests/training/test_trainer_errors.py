"""Bad input: clear Keras-style errors, raised before anything is traced."""
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.core.errors import TracedControlFlowError
from jkeras.training import step


def _model(compile=True, **kw):
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3, activation="softmax")])
    if compile:
        m.compile("sgd", kw.pop("loss", "sparse_categorical_crossentropy"), **kw)
    return m


X, Y = np.ones((10, 4), "float32"), np.zeros(10, "int32")


@pytest.fixture
def no_trace():
    before = dict(step.TRACE_COUNTS)
    yield
    assert dict(step.TRACE_COUNTS) == before, "an error was raised only after tracing"


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_must_compile_first(method, no_trace):
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before"):
        getattr(_model(compile=False), method)(X, Y)


def test_x_and_y_lengths_differ(no_trace):
    with pytest.raises(ValueError, match=r"(?s)'x' sizes: 10.*'y' sizes: 9"):
        _model().fit(X, Y[:9], verbose=0)
    with pytest.raises(ValueError, match=r"'sample_weight' sizes: 3"):
        _model().evaluate(X, Y, sample_weight=np.ones(3), verbose=0)


def test_y_cannot_match_the_loss(no_trace):
    with pytest.raises(ValueError, match="y_true.shape"):
        _model(loss="categorical_crossentropy").fit(X, Y, verbose=0)  # integer labels, CCE
    with pytest.raises(ValueError, match="y_true.shape"):
        _model(loss="mse").fit(X, np.zeros((10, 5), "float32"), verbose=0)


@pytest.mark.parametrize("kw,match", [
    (dict(optimizer="adamm"), "adamm"), (dict(loss="msee"), "msee"),
    (dict(metrics=["acuracy"]), "acuracy"), (dict(metrics="accuracy"), "list, tuple, or dict"),
    (dict(steps_per_execution=0), "steps_per_execution"),
    (dict(loss_weights="x"), "loss_weights")])
def test_bad_compile_arguments(kw, match):
    m = _model(compile=False)
    args = dict(optimizer="sgd", loss="mse")
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        m.compile(**args)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_batch_size(bad, no_trace):
    m = _model()
    for call in (lambda: m.fit(X, Y, batch_size=bad, verbose=0),
                 lambda: m.evaluate(X, Y, batch_size=bad, verbose=0),
                 lambda: m.predict(X, batch_size=bad, verbose=0)):
        with pytest.raises(ValueError, match="batch_size"):
            call()


@pytest.mark.parametrize("bad", [-0.2, 1.0, 2])
def test_bad_validation_split(bad, no_trace):
    with pytest.raises(ValueError, match="validation_split"):
        _model().fit(X, Y, validation_split=bad, verbose=0)


def test_empty_and_missing_data(no_trace):
    with pytest.raises(ValueError, match="non-empty"):
        _model().fit(np.ones((0, 4)), np.ones(0), verbose=0)
    with pytest.raises(ValueError, match="expects input data"):
        _model().fit(None, Y, verbose=0)
    with pytest.raises(ValueError, match="no target data"):
        _model().fit(X, verbose=0)


@pytest.mark.parametrize("val", [(X,), (X, Y, None, None), X, "val"])
def test_bad_validation_data(val, no_trace):
    with pytest.raises(ValueError, match="validation_data"):
        _model().fit(X, Y, validation_data=val, verbose=0)


def test_generator_argument_errors(no_trace):
    def gen():
        yield X, Y
    with pytest.raises(ValueError, match="`y` should not be passed"):
        _model().fit(gen(), Y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        _model().fit(gen(), validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        _model().fit(gen(), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="at least one batch"):
        _model().fit(iter([]), verbose=0)


def test_weight_and_structure_errors(no_trace):
    with pytest.raises(ValueError, match="class_weight` and `sample_weight"):
        _model().fit(X, Y, sample_weight=np.ones(10), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="validation_freq"):
        _model().fit(X, Y, validation_data=(X, Y), validation_freq="2", verbose=0)
    inp = jkeras.Input((4,))
    m = jkeras.Model(inp, [layers.Dense(1, name="a")(inp), layers.Dense(2, name="b")(inp)])
    m.compile("sgd", loss={"a": "mse", "c": "mse"})
    with pytest.raises(ValueError, match="Expected keys"):
        m.fit(X, [np.ones((10, 1)), np.ones((10, 2))], verbose=0)
    m.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match="different structures"):
        m.fit(X, [np.ones((10, 1))] * 3, verbose=0)
    m.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match="one entry per model output"):
        m.fit(X, [np.ones((10, 1)), np.ones((10, 2))], verbose=0)


class Halving(jkeras.Model):
    """Python control flow on values: fine eagerly, an error under jit."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        x = self.dense(x)
        while jnp.max(jnp.abs(x)) > 1:
            x = x / 2
        return x


def test_python_control_flow_needs_run_eagerly():
    x, y = np.ones((8, 3), "float32") * 5, np.zeros((8, 2), "float32")
    m = Halving()
    m.compile("sgd", "mse")
    with pytest.raises(TracedControlFlowError, match="run_eagerly=True"):
        m.fit(x, y, verbose=0)
    m.compile("sgd", "mse", run_eagerly=True)
    h = m.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
    assert np.abs(m.predict(x, verbose=0)).max() <= 1


@pytest.mark.parametrize("arg", ["steps_per_epoch", "validation_steps"])
def test_bad_step_counts(arg, no_trace):
    with pytest.raises(ValueError, match=f"`{arg}` must be a positive integer"):
        _model().fit(X, Y, verbose=0, validation_data=(X, Y), **{arg: 0})

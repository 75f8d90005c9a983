"""Traceback filtering: an error raised in the user's `call` / `build` / loss shows the user's
frames and not jkeras's internals (only the re-raising frame of traceback_utils, as Keras's
`error_handler`); disabled, the full traceback is kept. The exception is the same either way,
and JAX's own filtering (its note, its UnfilteredStackTrace cause) is kept."""
import inspect
import os
import traceback

import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.core import traceback_utils

JKERAS_DIR = os.path.dirname(os.path.abspath(jkeras.__file__)) + os.sep
HANDLER = os.path.abspath(traceback_utils.__file__)


class Boom(L.Layer):
    def call(self, x):
        return user_function(x)


class BoomInTraining(L.Layer):
    def call(self, x, training=False):
        return user_function(x) if training else x


def user_function(x):
    raise ValueError("boom in the user's call")


class BadBuild(L.Layer):
    def build(self, input_shape):
        raise TypeError("bad build")

    def call(self, x):
        return x


@pytest.fixture(autouse=True)
def restore():
    yield
    jkeras.config.enable_traceback_filtering()


def frames(error):
    return [(os.path.abspath(f.filename), f.name) for f in traceback.extract_tb(error.__traceback__)]


def jkeras_frames(error):
    """jkeras's frames other than the filter's own re-raise."""
    return [f for f in frames(error) if f[0].startswith(JKERAS_DIR) and f[0] != HANDLER]


def user_frames(error):
    return [name for path, name in frames(error) if path == os.path.abspath(__file__)]


def model():
    return jkeras.Sequential([L.Dense(2), Boom()])  # built (and failing) at the first use


def raised(fn, kind=ValueError):
    with pytest.raises(kind) as info:
        fn()
    return info.value


def test_switches():
    assert jkeras.config.is_traceback_filtering_enabled() is True
    jkeras.config.disable_traceback_filtering()
    assert jkeras.config.is_traceback_filtering_enabled() is False
    jkeras.config.enable_traceback_filtering()
    assert jkeras.config.is_traceback_filtering_enabled() is True


@pytest.mark.parametrize("entry", ["call", "predict", "fit", "evaluate", "train_on_batch",
                                   "predict_on_batch"])
def test_error_in_user_call(entry):
    x, y = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")

    def run():
        m = model()
        m.compile(optimizer="sgd", loss="mse")
        if entry == "call":
            return m(x)
        if entry in ("fit", "evaluate", "train_on_batch"):
            return getattr(m, entry)(x, y, verbose=0) if entry != "train_on_batch" else \
                m.train_on_batch(x, y)
        return getattr(m, entry)(x, verbose=0) if entry == "predict" else m.predict_on_batch(x)

    filtered = raised(run)
    jkeras.config.disable_traceback_filtering()
    full = raised(run)
    for error in (filtered, full):
        assert type(error) is ValueError and str(error) == "boom in the user's call"
        assert user_frames(error)[-2:] == ["call", "user_function"]
    assert jkeras_frames(filtered) == []
    assert any(path.endswith(os.path.join("core", "layer.py")) for path, _ in jkeras_frames(full))
    assert len(frames(full)) > len(frames(filtered)) + 3


def test_jax_note_is_kept():
    """Inside fit's compiled step the error crosses JAX's API boundaries: JAX's note stays."""
    m = jkeras.Sequential([jkeras.Input((3,)), L.Dense(2), BoomInTraining()])
    m.compile(optimizer="sgd", loss="mse")
    error = raised(lambda: m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0))
    assert jkeras_frames(error) == []
    if jax.config.jax_traceback_filtering in (None, "auto", "quiet_remove_frames"):
        assert any("JAX has removed its internal frames" in n for n in error.__notes__)
    assert not any("/jax/_src/" in path for path, _ in frames(error))


def test_jax_unfiltered_cause_is_kept():
    previous = jax.config.jax_traceback_filtering
    jax.config.update("jax_traceback_filtering", "remove_frames")
    try:
        m = jkeras.Sequential([jkeras.Input((3,)), L.Dense(2), BoomInTraining()])
        m.compile(optimizer="sgd", loss="mse")
        error = raised(lambda: m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0))
    finally:
        jax.config.update("jax_traceback_filtering", previous)
    assert type(error.__cause__).__name__ == "UnfilteredStackTrace"
    assert jkeras_frames(error) == []


def test_cause_and_context_are_kept():
    class Chained(L.Layer):
        def call(self, x):
            try:
                {}["missing"]
            except KeyError as e:
                raise RuntimeError("wrapped") from e

    error = raised(lambda: Chained()(np.ones((2, 3))), RuntimeError)
    assert isinstance(error.__cause__, KeyError) and not jkeras_frames(error)
    assert user_frames(error)[-1] == "call"


def test_error_in_user_build():
    for enabled in (True, False):
        (jkeras.config.enable_traceback_filtering if enabled else
         jkeras.config.disable_traceback_filtering)()
        error = raised(lambda: BadBuild()(np.ones((2, 3))), TypeError)
        assert str(error) == "bad build" and user_frames(error)[-1] == "build"
        assert (jkeras_frames(error) == []) is enabled
        layer = BadBuild()
        error = raised(lambda: layer.build((2, 3)), TypeError)
        assert user_frames(error)[-1] == "build" and (jkeras_frames(error) == []) is enabled


def test_error_raised_by_jkeras_keeps_its_message():
    """An error jkeras raises itself: same type and message; the traceback keeps at least the
    frame that raised it (Keras keeps the innermost one when nothing else is left)."""
    m = jkeras.Sequential([jkeras.Input((3,)), L.Dense(2)])
    filtered = raised(lambda: m.predict(np.ones((4, 5)), verbose=0))
    jkeras.config.disable_traceback_filtering()
    full = raised(lambda: m.predict(np.ones((4, 5)), verbose=0))
    assert type(filtered) is type(full) and str(filtered) == str(full)
    assert len(frames(filtered)) >= 2 and len(frames(full)) > len(frames(filtered))


def test_wrapped_functions_keep_their_names():
    assert jkeras.Model.fit.__name__ == "fit" and jkeras.layers.Layer.__call__.__name__ == \
        "__call__"
    assert "epochs" in str(inspect.signature(jkeras.Model.fit))

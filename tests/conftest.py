"""Shared fixtures: a fixed seed and fresh layer names per test; tf.keras for parity tests."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest


@pytest.fixture(autouse=True)
def _fresh_session():
    import jkeras
    jkeras.utils.set_random_seed(0)
    jkeras.utils.clear_session()
    yield


@pytest.fixture
def tf():
    """TensorFlow with a cleared Keras session (names restart at `dense`)."""
    import tensorflow
    tensorflow.keras.backend.clear_session()
    tensorflow.keras.utils.set_random_seed(0)
    return tensorflow


class FakeClock:
    """A settable `time.time()` so progress-bar text is deterministic."""

    def __init__(self):
        self.t = 1000.0  # well past 0: the bar throttles redraws relative to its last one

    def time(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    """jkeras's progress bar reads this clock; advance it with `clock.t += seconds`."""
    import types

    from jkeras.training import progbar
    fake = FakeClock()
    monkeypatch.setattr(progbar, "time", types.SimpleNamespace(time=fake.time))
    return fake

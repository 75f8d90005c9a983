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

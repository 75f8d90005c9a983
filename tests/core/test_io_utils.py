"""Interactive logging: stdout when on (the default), absl logging when off; fit's bar obeys."""
import numpy as np
import pytest

import jkeras
from jkeras import config, layers, utils


@pytest.fixture
def restore_logging():
    yield
    config.enable_interactive_logging()


def test_same_objects_in_config_and_utils():
    assert utils.enable_interactive_logging is config.enable_interactive_logging
    assert utils.disable_interactive_logging is config.disable_interactive_logging
    assert utils.is_interactive_logging_enabled is config.is_interactive_logging_enabled


def test_switch_and_default_match_keras(restore_logging, tf):
    import keras
    assert config.is_interactive_logging_enabled() is keras.config.is_interactive_logging_enabled()
    config.disable_interactive_logging()
    assert config.is_interactive_logging_enabled() is False
    config.enable_interactive_logging()
    assert config.is_interactive_logging_enabled() is True


def test_fit_bar_goes_to_absl_when_disabled(restore_logging, capsys, monkeypatch):
    from jkeras.core import io_utils
    logged = []
    monkeypatch.setattr(io_utils.logging, "info", lambda msg: logged.append(msg))
    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    config.disable_interactive_logging()
    model.fit(x, y, epochs=2, batch_size=4, verbose=1)
    assert capsys.readouterr().out == ""
    assert any("Epoch 2/2" in m for m in logged)
    assert any("loss:" in m for m in logged)
    config.enable_interactive_logging()
    logged.clear()
    model.fit(x, y, epochs=2, batch_size=4, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "loss:" in out and not logged


def test_standardize_dtype_matches_keras(tf):
    import keras
    for d in [None, "float32", "int8", np.float64, np.dtype("uint8"), float, bool, "bfloat16"]:
        assert utils.standardize_dtype(d) == keras.utils.standardize_dtype(d)
    # Python int is backend-dependent in Keras: int32 on JAX (int64 only on TensorFlow).
    assert utils.standardize_dtype(int) == "int32"
    with pytest.raises(ValueError, match="Invalid dtype: quux"):
        utils.standardize_dtype("quux")

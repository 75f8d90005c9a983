"""`config.set_backend` (JAX only, Keras's errors) and `config.is_nnx_enabled` (Keras's
setting, read from KERAS_NNX_ENABLED and keras.json as Keras reads it)."""
import json
import os
import subprocess
import sys

import pytest

import jkeras
from jkeras import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_set_backend_jax(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    model = jkeras.Sequential([jkeras.Input((2,)), jkeras.layers.Dense(1)])
    assert config.set_backend("jax") is None
    assert os.environ["KERAS_BACKEND"] == "jax" and config.backend() == "jax"
    assert model(jkeras.ops.ones((1, 2))).shape == (1, 1)  # objects made before stay usable


@pytest.mark.parametrize("name", ["tensorflow", "torch", "numpy", "openvino"])
def test_set_backend_other_keras_backends(name, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(ValueError, match=f"jkeras runs on JAX only: it has no '{name}' backend. "
                                         f"Received: backend={name}"):
        config.set_backend(name)
    assert os.environ["KERAS_BACKEND"] == "jax" and config.backend() == "jax"


def test_set_backend_unknown():
    with pytest.raises(ValueError, match=r"Available backends are \('tensorflow', 'jax', "
                                         r"'torch', 'numpy' and 'openvino'\). Received: "
                                         r"backend=mxnet"):
        config.set_backend("mxnet")


def test_is_nnx_enabled_default():
    assert config.is_nnx_enabled() is (os.environ.get("KERAS_NNX_ENABLED", "").lower()
                                       in ("true", "1"))


def settings_in_a_fresh_process(tmp_path, env_value=None, file_value=None):
    """(jkeras's, Keras's) is_nnx_enabled() in a new process with this configuration."""
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_NNX_ENABLED", "KERAS_HOME")}
    env.update(KERAS_HOME=str(tmp_path), KERAS_BACKEND="jax", PYTHONPATH=ROOT,
               TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
    if env_value is not None:
        env["KERAS_NNX_ENABLED"] = env_value
    if file_value is not None:
        (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax",
                                                         "nnx_enabled": file_value}))
    code = ("import warnings; warnings.simplefilter('always')\n"
            "import jkeras, keras\n"
            "print(jkeras.config.is_nnx_enabled(), keras.config.is_nnx_enabled())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()[-2:], out.stderr


@pytest.mark.parametrize("env_value,file_value,expected", [
    (None, None, "False"), ("true", None, "True"),
    (None, True, "True"), ("false", True, "False")])
def test_is_nnx_enabled_reads_keras_setting(tmp_path, env_value, file_value, expected):
    pytest.importorskip("flax")  # Keras (and jkeras) require flax when NNX is enabled
    (ours, theirs), stderr = settings_in_a_fresh_process(tmp_path, env_value, file_value)
    assert ours == theirs == expected
    assert ("jkeras layers are not `flax.nnx` Modules" in stderr) is (expected == "True")

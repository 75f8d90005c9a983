"""Multi-device checks need 4 CPU devices, which JAX only creates when XLA_FLAGS is set before it
starts; the rest of the suite shares these processes, so the checks run in a subprocess
(dp_checks.py) and the tests assert on the JSON it prints."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


def run_checks(group, script="dp_checks.py", devices=4, args=()):
    flags = os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={devices}"
    env = dict(os.environ, XLA_FLAGS=flags.strip(),
               JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, str(HERE / script), group, *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["device_count"] == devices
    return out


@pytest.fixture
def dp_checks():
    return run_checks


@pytest.fixture
def mp_checks(tmp_path):
    """ModelParallel checks (mp_checks.py) on 8 CPU devices; files go into tmp_path."""
    return lambda group: run_checks(group, "mp_checks.py", 8, [tmp_path])


TOL = 1e-5  # the bound: data-parallel weights within 1e-5 of the one-device run


def _assert_equal_runs(result, epochs, devices=4):
    """One `compare()` entry of dp_checks.py: fit weights, History, evaluate and predict of
    the distributed run against the one-device run."""
    for key in ("weights", "history", "evaluate", "predict"):
        assert result[key] < TOL, (key, result)
    assert result["pred_shape"] == [203, 3]
    assert result["epochs"] == epochs
    assert result["param_devices"] == devices


@pytest.fixture
def assert_equal_runs():
    return _assert_equal_runs

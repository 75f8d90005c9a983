"""Shared fixtures: a fixed seed and fresh layer names per test; tf.keras for parity tests.

Also: tests that need TensorFlow are marked `tensorflow` (those using the `tf` fixture or
importing TensorFlow / Keras), so `pytest -m "not tensorflow"` runs the rest; and the session
fails if any test left files in the checkout (tests write into `tmp_path` only).
"""
import inspect
import os
import re
import subprocess
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

ROOT = Path(__file__).resolve().parents[1]
_TF_TEXT = re.compile(r"\bimport tensorflow\b|\bfrom tensorflow\b|\btf\.keras\b|"
                      r"^\s*(import|from) keras\b", re.M)
_MODULE_NEEDS_TF = re.compile(r"^(import|from) (tensorflow|keras)\b", re.M)
_STATIC_TRASH = ("__pycache__", ".pytest_cache", ".egg-info", ".hypothesis")


def _tensorflow_installed():
    try:
        import importlib.util
        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        return False


def pytest_ignore_collect(collection_path, config):
    # Without TensorFlow (the fast command's install), skip modules that import it at the top.
    path = Path(collection_path)
    if path.suffix == ".py" and path.name.startswith("test_") and not _tensorflow_installed():
        return bool(_MODULE_NEEDS_TF.search(path.read_text(encoding="utf-8", errors="ignore")))
    return None


def _source(obj):
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def pytest_collection_modifyitems(config, items):
    modules = {}
    for item in items:
        path = Path(str(item.fspath))
        if path not in modules:
            modules[path] = bool(_MODULE_NEEDS_TF.search(
                path.read_text(encoding="utf-8", errors="ignore")))
        if "tf" in getattr(item, "fixturenames", ()) or modules[path] or \
                _TF_TEXT.search(_source(getattr(item, "function", None))):
            item.add_marker(pytest.mark.tensorflow)


def _checkout_files():
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line[3:] for line in out.splitlines() if line[:2] in ("??", "!!")
            and not any(t in line for t in _STATIC_TRASH)}


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a plain run)
        session.config._jk_files_before = _checkout_files()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_jk_files_before", None)
    after = _checkout_files() if before is not None else None
    if after is not None and after - before:
        print(f"\nTests wrote into the checkout (write into tmp_path instead): "
              f"{sorted(after - before)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="module", autouse=True)
def _release_compiled_programs():
    """Each test module's compiled programs and models are freed after it: a worker that builds
    the largest applications and then runs hundreds of modules stays within memory."""
    yield
    import gc

    import jax
    jax.clear_caches()
    gc.collect()


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

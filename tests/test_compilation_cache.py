"""jkeras.config.enable_compilation_cache: a second process with the same model reads its
compiled programs from the cache (counted with jax.monitoring's cache-hit events and the
cache directory's files), and bad arguments are refused before JAX sees them."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jkeras

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from jax import monitoring
    import jkeras
    from jkeras import layers as L

    hits, compiles = [], []
    monitoring.register_event_listener(
        lambda event, **kw: hits.append(1)
        if event == "/jax/compilation_cache/cache_hits" else None)
    monitoring.register_event_duration_secs_listener(
        lambda event, seconds, **kw: compiles.append(kw.get("fun_name"))
        if event == "/jax/core/compile/backend_compile_duration" else None)
    jkeras.config.enable_compilation_cache(sys.argv[1])
    jkeras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 4), dtype=np.float32), rng.integers(0, 2, 40)
    model = jkeras.Sequential([jkeras.Input((4,)), L.Dense(6, activation="relu"),
                               L.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    loss = model.fit(x, y, batch_size=16, epochs=2, verbose=0).history["loss"][-1]
    print("RESULT " + json.dumps({"hits": len(hits), "compiles": len(compiles),
                                  "loss": float(loss),
                                  "dir": jkeras.config.compilation_cache_dir()}))
""")


def run(cache_dir):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(cache_dir)], capture_output=True,
                         text=True, env=env, cwd=str(Path(cache_dir).parent), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(l for l in out.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_second_process_reads_the_compiled_programs(tmp_path):
    cache = tmp_path / "cache"
    first = run(cache)
    files = sorted(p.name for p in cache.iterdir())
    assert first["hits"] == 0 and first["dir"] == str(cache)
    assert len(files) >= 1  # the fused fit program and the initializers were written
    second = run(cache)
    assert second["hits"] >= len(files) - 1 and second["hits"] >= 1
    assert second["loss"] == first["loss"]  # the same program, the same numbers
    assert sorted(p.name for p in cache.iterdir()) == files  # nothing new to write


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(path=3), TypeError, "must be a directory path"),
    (dict(path=""), ValueError, "non-empty"),
    (dict(path="d", min_compile_time_secs=-1), ValueError, "min_compile_time_secs"),
    (dict(path="d", min_entry_size_bytes="big"), ValueError, "min_entry_size_bytes"),
])
def test_bad_arguments(tmp_path, monkeypatch, kwargs, error, match):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        jkeras.config.enable_compilation_cache(**kwargs)
    assert jkeras.config.compilation_cache_dir() is None


def test_a_file_is_not_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="a file exists there"):
        jkeras.config.enable_compilation_cache(f)

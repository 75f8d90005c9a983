"""`run_example(script, timeout, **env)`: run examples/<script> from the repository root (with
the extra environment variables `env`) and return its stdout."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def run_example():
    def run(script, timeout=600, **extra_env):
        env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"), **extra_env)
        proc = subprocess.run([sys.executable, os.path.join("examples", script)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc.stdout
    return run


@pytest.fixture
def training_summary():
    """(first loss, last loss, test accuracy) from an example's line
    "train loss A -> B, ... test accuracy C"."""
    def parse(out):
        import re
        match = re.search(r"train loss (\d+\.\d+) -> (\d+\.\d+), .*test accuracy (\d\.\d+)", out)
        assert match, out[-3000:]
        return tuple(float(g) for g in match.groups())
    return parse

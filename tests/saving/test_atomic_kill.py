"""Atomic saving: a process killed (SIGKILL) in the middle of `save_weights` leaves the previous
file intact and loadable with its old values; `atomic_write` itself cleans up on errors."""
import glob
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving.atomic import atomic_write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
import jkeras
from jkeras import layers as L
from jkeras.saving import weights_h5

def make():
    return jkeras.Sequential([jkeras.Input((256,)), L.Dense(1024), L.Dense(512)])
"""


def make():
    return jkeras.Sequential([jkeras.Input((256,)), L.Dense(1024), L.Dense(512)])


def filled(model, value):
    model.set_weights([np.full(w.shape, value, np.float32) for w in model.get_weights()])
    return model


def start(script, tmp_path):
    code = BUILD.format(root=ROOT) + textwrap.dedent(script)
    return subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "m.weights.h5")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def kill(proc):
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def temp_files(tmp_path):
    return glob.glob(str(tmp_path / ".m.weights.h5.*.tmp"))


def test_killed_while_writing_the_temp_file_keeps_the_old_file(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    filled(make(), 1.0).save_weights(path)
    proc = start("""
        model = make()
        model.set_weights([np.full(w.shape, 2.0, np.float32) for w in model.get_weights()])
        real = weights_h5.write_weights
        def paused(model, group):  # all written, not yet closed nor moved: wait to be killed
            real(model, group)
            group.file.flush()
            print("WRITING", flush=True)
            time.sleep(120)
        weights_h5.write_weights = paused
        model.save_weights(sys.argv[1])
    """, tmp_path)
    try:
        assert proc.stdout.readline().strip() == "WRITING"
        assert len(temp_files(tmp_path)) == 1  # the new data sit in a temp file beside it
    finally:
        kill(proc)
    loaded = make()
    loaded.load_weights(path)
    for w in loaded.get_weights():
        np.testing.assert_array_equal(w, 1.0)


def test_killed_at_any_moment_of_a_save_loop_leaves_a_complete_file(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    filled(make(), 0.0).save_weights(path)
    proc = start("""
        model = make()
        for k in range(1, 10_000):
            model.set_weights([np.full(w.shape, float(k), np.float32)
                               for w in model.get_weights()])
            model.save_weights(sys.argv[1])
            print(k, flush=True)
    """, tmp_path)
    try:
        done = [int(proc.stdout.readline()) for _ in range(3)]  # a few complete saves
        deadline = time.time() + 30
        while not temp_files(tmp_path) and time.time() < deadline:
            pass  # kill while a temp file is being written
    finally:
        kill(proc)
    loaded = make()
    loaded.load_weights(path)
    values = {float(np.unique(w)[0]) for w in loaded.get_weights()}
    assert all(np.unique(w).size == 1 for w in loaded.get_weights())
    assert len(values) == 1 and values.pop() >= done[-1]  # one whole save, the last or later


def test_atomic_write_removes_the_temp_file_on_error(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(str(target)) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"half")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path):
    target = tmp_path / "f.bin"
    with atomic_write(target) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path)
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert target.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~umask
    os.chmod(target, 0o640)
    with atomic_write(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"newer")
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["f.bin"]


def test_atomic_write_needs_an_existing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        with atomic_write(tmp_path / "missing" / "f.bin"):
            pass

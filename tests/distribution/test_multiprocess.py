"""Two processes on localhost (each 2 forced CPU devices, gloo collectives; multiprocess_worker.py),
each fitting its own half of every batch (`auto_shard_dataset=False`):
- under DataParallel, and under ModelParallel on a 2x2 mesh (batch over the processes, weights
  split over each process's 2 devices), the weights, History and evaluate equal one process
  fitting the concatenated batches; each weight is laid out as the LayoutMap says;
- processes with different models or numbers of batches fail with the same ValueError before
  training;
- a process killed mid-fit makes the other exit non-zero with JAX's error, within a bound.
Every wait is bounded: a process that hangs fails the test and both are killed."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import multiprocess_worker as worker  # noqa: E402

TIMEOUT_S = 300


def _gloo_available():
    try:
        from jax._src.lib import _jax
    except ImportError:
        return False
    return hasattr(_jax, "make_gloo_tcp_collectives")


pytestmark = pytest.mark.skipif(not _gloo_available(),
                                reason="this jaxlib has no gloo CPU collectives")


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def start(out_dir, mode):
    env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    env.pop("XLA_FLAGS", None)  # the worker asks for its 2 CPU devices itself
    port = free_port()
    return [subprocess.Popen([sys.executable, str(HERE / "multiprocess_worker.py"), str(pid),
                              str(port), str(out_dir), mode], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for pid in range(2)]


def finish(procs, timeout=TIMEOUT_S):
    """Each process's (return code, output); fails the test if one runs past `timeout`."""
    outputs = []
    deadline = time.monotonic() + timeout
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=max(1, deadline - time.monotonic()))[0])
    except subprocess.TimeoutExpired:
        pytest.fail(f"the 2 processes did not finish in {timeout}s")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [(p.returncode, out) for p, out in zip(procs, outputs)]


def run_processes(out_dir, mode):
    for code, out in finish(start(out_dir, mode)):
        assert code == 0, out[-4000:]


def reference(global_arrays=False):
    """One process, one device, the concatenated batches (or the global arrays, in order)."""
    x, y = worker.data()
    ref = worker.model()
    if global_arrays:
        hist = ref.fit(x, y, batch_size=worker.GLOBAL_BATCH, epochs=2, shuffle=False,
                       verbose=0).history
        return ref, hist, ref.evaluate(x, y, batch_size=worker.GLOBAL_BATCH, verbose=0)
    everything = worker.Batches(x, y, worker.GLOBAL_BATCH)  # batch order shuffled, same seed
    hist = ref.fit(everything, epochs=2, verbose=0).history
    return ref, hist, ref.evaluate(everything, verbose=0)


def assert_match_reference(out_dir, global_arrays=False):
    ref, hist, ev = reference(global_arrays)
    for pid in range(2):
        logs = json.loads((out_dir / f"logs_{pid}.json").read_text())
        assert (logs["processes"], logs["devices"], logs["local_devices"]) == (2, 4, 2)
        got = np.load(out_dir / f"weights_{pid}.npz")
        for i, w in enumerate(ref.get_weights()):
            np.testing.assert_allclose(got[f"arr_{i}"], w, atol=1e-5, rtol=0)
        for k in hist:
            np.testing.assert_allclose(logs["history"][k], hist[k], atol=1e-5, rtol=0)
        np.testing.assert_allclose(logs["evaluate"], ev, atol=1e-5, rtol=0)
    return [json.loads((out_dir / f"logs_{pid}.json").read_text()) for pid in range(2)]


def test_two_processes_with_own_batches_match_one_process(tmp_path):
    run_processes(tmp_path, "dp")
    seeds = [logs["shared_seed"] for logs in assert_match_reference(tmp_path)]
    assert seeds[0] is not None and seeds[0] == seeds[1]  # initialize shared process 0's seed


@pytest.mark.parametrize("mode", ["mp", "mp_global"])  # own batches / the same global arrays
def test_model_parallel_over_two_processes_matches_one_process(tmp_path, mode):
    run_processes(tmp_path, mode)
    for logs in assert_match_reference(tmp_path, global_arrays=mode == "mp_global"):
        layouts = logs["layouts"]
        assert all(v["as_layout"] for v in layouts.values()), layouts
        # each process's 2 devices hold one half each of the split weights
        assert layouts["hidden/kernel"]["shards"] == [[5, 4], [5, 4]]
        assert layouts["hidden/bias"]["shards"] == [[4], [4]]
        assert layouts["out/kernel"]["shards"] == [[4, 2], [4, 2]]
        assert layouts["out/bias"]["shards"] == [[2], [2]]  # no key: replicated


def test_processes_that_disagree_fail_before_training(tmp_path):
    run_processes(tmp_path, "disagree")  # process 1: 6 hidden units (not 8), 2 batches (not 3)
    errors = [(tmp_path / f"error_{pid}.txt").read_text() for pid in range(2)]
    # the same error in both processes; each adds what it has itself
    assert errors[0].split("This process")[0] == errors[1].split("This process")[0]
    assert "This process (0) has: " in errors[0] and "This process (1) has: " in errors[1]
    for pattern in [r"the model's config \(`model.get_config\(\)`\) \(processes \[0\] vs "
                    r"processes \[1\]\); the model's variables \(paths, shapes and dtypes\)",
                    r"the number of steps \(batches\) \(process 0: 3, process 1: 2\)",
                    r"This process \(0\) has: .*\('hidden/kernel', \(5, 8\), 'float32'\)"]:
        assert re.search(pattern, errors[0]), errors[0]
    assert "'hidden/kernel', (5, 6)" in errors[1]
    assert "batch shapes" not in errors[0]  # what agrees is not named
    assert "The 2 processes disagree before fit starts" in errors[0]
    assert "Every process must run the same program" in errors[0]
    assert not list(tmp_path.glob("weights_*"))


def test_a_killed_process_makes_the_other_fail_quickly(tmp_path):
    procs = start(tmp_path, "die")
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "ready_1").exists():  # both are fitting
            assert time.monotonic() < deadline and procs[1].poll() is None, "fit never started"
            time.sleep(0.1)
        procs[1].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        (code, out), _ = finish(procs, timeout=worker.HEARTBEAT_S + 30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert time.monotonic() - killed < worker.HEARTBEAT_S + 30
    assert code != 0
    assert "another task died" in out, out[-4000:]

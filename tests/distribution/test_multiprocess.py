"""Two processes on localhost (each 2 forced CPU devices, gloo collectives), each fitting its
own half of every batch under DataParallel(auto_shard_dataset=False): the weights, History and
evaluate equal one process fitting the concatenated batches. Bounded: a process that hangs or
dies fails the test (both are killed)."""
import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import multiprocess_worker as worker  # noqa: E402

TIMEOUT_S = 300


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def run_processes(out_dir):
    env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    port = free_port()
    procs = [subprocess.Popen([sys.executable, str(HERE / "multiprocess_worker.py"), str(pid),
                               str(port), str(out_dir)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for pid in range(2)]
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=TIMEOUT_S)[0])
    except subprocess.TimeoutExpired:
        pytest.fail(f"the 2-process fit did not finish in {TIMEOUT_S}s")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out[-4000:]


def test_two_processes_with_own_batches_match_one_process(tmp_path):
    run_processes(tmp_path)
    logs = json.loads((tmp_path / "logs.json").read_text())
    assert (logs["processes"], logs["devices"], logs["local_devices"]) == (2, 4, 2)
    got = np.load(tmp_path / "weights.npz")
    x, y = worker.data()
    ref = worker.model()
    everything = worker.Batches(x, y, worker.GLOBAL_BATCH)
    hist = ref.fit(everything, epochs=2, verbose=0).history
    ev = ref.evaluate(everything, verbose=0)
    for i, w in enumerate(ref.get_weights()):
        np.testing.assert_allclose(got[f"arr_{i}"], w, atol=1e-5, rtol=0)
    for k in hist:
        np.testing.assert_allclose(logs["history"][k], hist[k], atol=1e-5, rtol=0)
    np.testing.assert_allclose(logs["evaluate"], ev, atol=1e-5, rtol=0)

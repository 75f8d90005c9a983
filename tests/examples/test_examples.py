"""Run each seed example as a script (as a reader would) and check what it prints.

Each example asserts its own facts; here we check that it exits cleanly and prints the lines
that matter. Scripts run from the repository root with it on PYTHONPATH.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "seed000_linear_subclass.py": [
        "pure loop:   loss after 100 steps = 0.1529",
        "facade loop: loss after 100 steps = 0.1529",
        "path=dense_1/kernel, shape=(3, 1)",
        "OK: pure loop == facade loop == tf.keras: kernel=[0.4078 1.1911 1.9743], bias=[0.7832]",
    ],
    "seed001_mlp_fancy_nest.py": [
        "params: MLP 7946 Sequential 7946",
        "jit(FancyMLP) raised TracedControlFlowError",
        "jax.lax.while_loop",
        "nest_mlp (NestMLP)",
        "Total params: 4,712",
        "OK: subclass == Sequential, FancyMLP eager + grad, jit error, nesting",
    ],
    "seed002_dense_sigmoid_normalization.py": [
        "[array([[200.]], dtype=float32), array([100.], dtype=float32)]",
        "[array([[2.]], dtype=float32), array([-4.5], dtype=float32)]",
        "(200, 2) (200, 1)",
        "Temperature Max, Min pre normalization: 284.99, 151.32",
        "Duration    Max, Min pre normalization: 15.45, 11.51",
        "Temperature Max, Min post normalization: 1.66, -1.69",
        "Duration    Max, Min post normalization: 1.79, -1.70",
        "W1(2, 3):",
        "accuracy on the 200 roasts: ",  # the script asserts >= 0.95
        "OK: Dense == NumPy, predict == sigmoid, Normalization as the seed, coffee net fits",
    ],
    "seed003_tensors_autodiff_linreg.py": [
        "[y, dy/dx] = [9.0, 6.0]",
        "        numpy: a = 0.976370, b = 0.057565",
        "    jax + SGD: a = 0.976370, b = 0.057565",
        "jkeras Linear: a = 0.976370, b = 0.057565",
        "OK: all three fits give a ~ 0.976, b ~ 0.058",
    ],
    "seed004_sequential_functional_autoencoder.py": [
        "Sequential with input_dim=16: 5,898 params",
        "Sequential with batch_input_shape=(None, 16): 5,898 params",
        "deferred, after build((None, 16)): 5,898 params",
        'Model: "autoencoder"',
        "encoder (Functional)",
        "Total params: 21,840",
        "OK: Sequential (4 ways) and functional give 5,898 params; encoder shared",
    ],
}


def test_every_example_is_tested():
    scripts = {p.name for p in (ROOT / "examples").glob("seed*.py")}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    missing = [line for line in EXPECTED[script] if line not in proc.stdout]
    assert not missing, f"{script} did not print {missing}. stdout:\n{proc.stdout[-3000:]}"

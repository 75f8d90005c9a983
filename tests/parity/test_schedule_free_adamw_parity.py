"""ScheduleFreeAdamW against Keras 3 on its JAX backend (run in a subprocess).

Why not tf.keras: its update reads `momentum_old = momentum.value` before updating the
momentum, but on the TensorFlow backend `.value` is the live tf.Variable, so every later read
sees the *new* momentum; on the JAX (and torch) backends it is the old value, which is the
algorithm (Defazio et al., 2024) and what the code's comments describe. jkeras follows Keras's
JAX backend. Same gradients, shapes and tolerances as test_optimizers_catalogue_parity.py."""
import json
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import optimizers as jopt

STEPS = 30
SHAPES = {"kernel": (4, 3), "bias": (3,), "scalar": ()}
CASES = {
    "default": {},
    "warmup": {"learning_rate": 0.01, "warmup_steps": 10, "beta_1": 0.8},
    "wd_ema": {"weight_decay": 0.05, "use_ema": True, "ema_momentum": 0.9},
    "accumulate_clip": {"gradient_accumulation_steps": 3, "global_clipnorm": 0.5},
}

SCRIPT = r"""
import json, sys
import numpy as np
import keras
data = np.load(sys.argv[1])
cases = json.loads(sys.argv[2])
names = json.loads(sys.argv[3])
out = {}
for case, kwargs in cases.items():
    opt = keras.optimizers.ScheduleFreeAdamW(**kwargs)
    variables = [keras.Variable(data["p_" + n]) for n in names]
    opt.build(variables)
    for i in range(data["g_" + names[0]].shape[0]):
        opt.apply_gradients([(data["g_" + n][i], v) for n, v in zip(names, variables)])
    for n, v in zip(names, variables):
        out[case + "/" + n] = np.asarray(v)
np.savez(sys.argv[4], **out)
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sf_adamw")
    rng = np.random.default_rng(3)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = {k: (rng.normal(size=(STEPS,) + s) * (1e-3 if k == "bias" else 1.5)
                 ).astype(np.float32) for k, s in SHAPES.items()}
    np.savez(tmp / "data.npz", **{f"p_{k}": v for k, v in params.items()},
             **{f"g_{k}": v for k, v in grads.items()})
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    subprocess.run([sys.executable, "-c", SCRIPT, str(tmp / "data.npz"), json.dumps(CASES),
                    json.dumps(list(SHAPES)), str(tmp / "out.npz")], check=True, env=env,
                   capture_output=True, timeout=300)
    return params, grads, dict(np.load(tmp / "out.npz"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras_jax_backend(case, reference):
    params, grads, out = reference
    opt = jopt.ScheduleFreeAdamW(**CASES[case])
    p = {k: jnp.asarray(v) for k, v in params.items()}
    state = opt.init(p)
    step = jax.jit(opt.step)
    for i in range(STEPS):
        p, state = step({k: jnp.asarray(g[i]) for k, g in grads.items()}, p, state)
    for k in SHAPES:
        theirs = out[f"{case}/{k}"]
        np.testing.assert_allclose(np.asarray(p[k]), theirs, rtol=1e-5,
                                   atol=3e-7 + 2e-6 * float(np.max(np.abs(theirs))),
                                   err_msg=f"{case}: {k}")
        assert not np.allclose(theirs, params[k], atol=1e-4)


def test_config_matches_keras(tf):
    theirs = tf.keras.optimizers.ScheduleFreeAdamW().get_config()
    ours = jopt.ScheduleFreeAdamW().get_config()
    theirs.pop("name"), ours.pop("name")
    assert ours == theirs

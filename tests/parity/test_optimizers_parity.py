"""Parity of jkeras optimizers and schedules with tf.keras (Keras 3, TF backend).

Both sides consume the same fixed sequence of gradients (several variables of different
shapes, magnitudes from ~1e-5 to ~3 so epsilon placement and clipping both matter) and the
parameters are compared every 10 steps.

Tolerance: 1e-5 relative per element, plus an absolute floor of 2e-6 times the variable's
largest magnitude. The floor is needed because entries that pass near zero carry the
rounding error of the whole trajectory; XLA's fused (jitted) arithmetic rounds a little
differently from TF's op-by-op kernels (measured: ~1e-7..7e-7 of the variable's scale;
run eagerly, unclipped cases are bit-identical to tf.keras).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tensorflow as tf  # noqa: E402  (a test extra: parity must fail loudly without it)

from jkeras import optimizers as jopt  # noqa: E402
from jkeras.optimizers import schedules as jsched  # noqa: E402

STEPS = 50
SHAPES = {"kernel": (4, 3), "bias": (3,), "conv": (2, 3, 2), "scalar": ()}
RTOL, SCALE_ATOL = 1e-5, 2e-6  # see the module docstring


def _data(seed=0):
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = []
    for _ in range(STEPS):
        step = {}
        for i, (k, s) in enumerate(SHAPES.items()):
            g = rng.normal(size=s)
            if k == "bias":  # tiny gradients: where Adam/RMSprop epsilon placement shows
                g = g * 1e-4
            elif k == "conv":  # per-element magnitudes spread over 1e-5 .. 3
                g = g * 10.0 ** rng.uniform(-5, 0.5, size=s)
            else:
                g = g * 1.5
            step[k] = g.astype(np.float32)
        grads.append(step)
    return params, grads


SCHEDULES = {
    "exp": lambda m: m.ExponentialDecay(0.05, decay_steps=7, decay_rate=0.8),
    "piecewise": lambda m: m.PiecewiseConstantDecay([10, 25], [0.05, 0.01, 0.002]),
    "cosine": lambda m: m.CosineDecay(0.05, decay_steps=40, alpha=0.1),
}

VARIANTS = {
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "sgd_wd": ("SGD", {"momentum": 0.5, "weight_decay": 0.05, "learning_rate": 0.1}),
    "adam": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"amsgrad": True}),
    "adam_wd": ("Adam", {"weight_decay": 0.01, "learning_rate": 0.01}),
    "adamw": ("AdamW", {}),
    "adamw_strong": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_centered": ("RMSprop", {"centered": True}),
    "rmsprop_momentum": ("RMSprop", {"momentum": 0.9}),
    "rmsprop_centered_momentum": ("RMSprop", {"centered": True, "momentum": 0.5}),
    "adagrad": ("Adagrad", {}),
    "adagrad_lr": ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.01}),
}

EXTRAS = {
    "none": {},
    "clipnorm": {"clipnorm": 1.0},
    "clipvalue": {"clipvalue": 0.5},
    "global_clipnorm": {"global_clipnorm": 1.0},
    **{f"sched_{k}": {"learning_rate": k} for k in SCHEDULES},
}


def _make(module, sched_module, cls_name, kwargs):
    kwargs = dict(kwargs)
    lr = kwargs.get("learning_rate")
    if isinstance(lr, str):
        kwargs["learning_rate"] = SCHEDULES[lr](sched_module)
    return getattr(module, cls_name)(**kwargs)


def _run_tf(cls_name, kwargs, params, grads, eager=False):
    """tf.keras reference. By default each step runs in a tf.function, as model.fit
    does (4x faster than eager); `eager=True` runs apply_gradients op by op."""
    opt = _make(tf.keras.optimizers, tf.keras.optimizers.schedules, cls_name, kwargs)
    tvars = {k: tf.Variable(v) for k, v in params.items()}
    opt.build([tvars[k] for k in SHAPES])

    def step(gs):
        opt.apply_gradients(zip(gs, [tvars[k] for k in SHAPES]))

    step = step if eager else tf.function(step)
    out = []
    for i, g in enumerate(grads):
        step([tf.constant(g[k]) for k in SHAPES])
        if (i + 1) % 10 == 0:
            out.append({k: v.numpy() for k, v in tvars.items()})
    assert int(opt.iterations.numpy()) == len(grads)
    return out


def _run_jax_functional(opt, params, grads):
    # Nested pytree on our side; jitted update as the training loop uses it.
    nest = lambda d: {"dense": {"kernel": d["kernel"], "bias": d["bias"]},
                      "conv": {"kernel": d["conv"]}, "scalar": d["scalar"]}
    flat = lambda n: {"kernel": n["dense"]["kernel"], "bias": n["dense"]["bias"],
                      "conv": n["conv"]["kernel"], "scalar": n["scalar"]}
    p = jax.tree_util.tree_map(jnp.asarray, nest(params))
    state = opt.init(p)

    @jax.jit
    def step(p, state, g):
        updates, state = opt.update(g, state, p)
        return jax.tree_util.tree_map(lambda a, b: a + b, p, updates), state

    out = []
    for i, g in enumerate(grads):
        p, state = step(p, state, nest(g))
        if (i + 1) % 10 == 0:
            out.append({k: np.asarray(v) for k, v in flat(p).items()})
    assert int(state.iterations) == len(grads)
    return out


class _Var:
    """Stand-in for the core Variable: `.value` and `.assign`."""

    def __init__(self, value, name):
        self.value, self.name = jnp.asarray(value), name

    def assign(self, value):
        self.value = value


def _run_jax_imperative(opt, params, grads):
    jvars = {k: _Var(v, k) for k, v in params.items()}
    out = []
    for i, g in enumerate(grads):
        opt.apply_gradients([(jnp.asarray(g[k]), jvars[k]) for k in SHAPES])
        if (i + 1) % 10 == 0:
            out.append({k: np.asarray(v.value) for k, v in jvars.items()})
    assert int(opt.iterations) == len(grads)
    return out


def _compare(ours, theirs, label):
    assert len(ours) == len(theirs)
    for n, (a, b) in enumerate(zip(ours, theirs)):
        for k in SHAPES:
            np.testing.assert_allclose(
                a[k], b[k], rtol=RTOL, atol=SCALE_ATOL * float(np.max(np.abs(b[k]))),
                err_msg=f"{label}: variable {k!r} after {10 * (n + 1)} steps",
            )


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.mark.parametrize("extra", sorted(EXTRAS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_optimizer_matches_tf_keras(variant, extra, data):
    params, grads = data
    cls_name, kwargs = VARIANTS[variant]
    kwargs = {**kwargs, **EXTRAS[extra]}
    theirs = _run_tf(cls_name, kwargs, params, grads)
    ours = _run_jax_functional(_make(jopt, jsched, cls_name, kwargs), params, grads)
    _compare(ours, theirs, f"{variant}/{extra}")
    # The trajectories really moved (the comparison is not vacuous).
    assert not np.allclose(theirs[-1]["kernel"], params["kernel"], atol=1e-4)


@pytest.mark.parametrize("variant", ["sgd_momentum", "adamw_strong",
                                     "rmsprop_centered_momentum", "adagrad"])
@pytest.mark.parametrize("extra", ["none", "global_clipnorm", "sched_cosine"])
def test_apply_gradients_matches_tf_keras(variant, extra, data):
    params, grads = data
    cls_name, kwargs = VARIANTS[variant]
    kwargs = {**kwargs, **EXTRAS[extra]}
    theirs = _run_tf(cls_name, kwargs, params, grads, eager=True)
    ours = _run_jax_imperative(_make(jopt, jsched, cls_name, kwargs), params, grads)
    _compare(ours, theirs, f"apply_gradients {variant}/{extra}")


SCHEDULE_CASES = {
    "exp": ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=13,
                                     decay_rate=0.9)),
    "exp_staircase": ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=13,
                                               decay_rate=0.5, staircase=True)),
    "piecewise": ("PiecewiseConstantDecay", dict(boundaries=[10, 50, 100],
                                                 values=[1.0, 0.5, 0.1, 0.01])),
    "piecewise_one": ("PiecewiseConstantDecay", dict(boundaries=[30], values=[0.3, 0.03])),
    "poly": ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    "poly_power_cycle": ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=60,
                                                 end_learning_rate=0.01, power=0.5,
                                                 cycle=True)),
    "inverse": ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10,
                                         decay_rate=0.5)),
    "inverse_staircase": ("InverseTimeDecay", dict(initial_learning_rate=0.1,
                                                   decay_steps=10, decay_rate=0.5,
                                                   staircase=True)),
    "cosine": ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=150)),
    "cosine_alpha": ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=150,
                                         alpha=0.05)),
    "cosine_warmup": ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=120,
                                          alpha=0.1, warmup_target=0.1,
                                          warmup_steps=30)),
    "restarts": ("CosineDecayRestarts", dict(initial_learning_rate=0.1,
                                             first_decay_steps=20)),
    "restarts_flat": ("CosineDecayRestarts", dict(initial_learning_rate=0.1,
                                                  first_decay_steps=17, t_mul=1.0,
                                                  m_mul=0.5, alpha=0.1)),
    "restarts_mul": ("CosineDecayRestarts", dict(initial_learning_rate=0.2,
                                                 first_decay_steps=10, t_mul=1.5,
                                                 m_mul=0.8, alpha=0.01)),
}


@pytest.mark.parametrize("case", sorted(SCHEDULE_CASES))
def test_schedule_values_match_tf_keras(case):
    cls_name, kwargs = SCHEDULE_CASES[case]
    theirs = getattr(tf.keras.optimizers.schedules, cls_name)(**kwargs)
    ours = getattr(jsched, cls_name)(**kwargs)
    steps = list(range(0, 260)) + [399, 1000, 12345]
    ref = np.array([theirs(tf.constant(s, tf.int64)).numpy() for s in steps])
    got = np.array([ours(jnp.asarray(s, jnp.int32)) for s in steps])
    # Jitted on a scalar step, as inside a training step: XLA must not turn the
    # divisions into reciprocal multiplies (that flips staircase floors).
    jitted_fn = jax.jit(ours)
    jitted = np.array([jitted_fn(jnp.asarray(s, jnp.int32)) for s in steps])
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9, err_msg=case)
    np.testing.assert_allclose(jitted, ref, rtol=1e-6, atol=1e-9, err_msg=case)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_config_keys_and_defaults_match_tf_keras(name):
    theirs = tf.keras.optimizers.get(name).get_config()
    ours = jopt.get(name).get_config()
    theirs.pop("name"), ours.pop("name")
    assert ours == theirs


def test_get_accepts_tf_keras_optimizer_and_schedule():
    sched = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    ours = jopt.get(tf.keras.optimizers.SGD(learning_rate=sched, momentum=0.9))
    assert isinstance(ours, jopt.SGD) and ours.momentum == 0.9
    assert isinstance(ours._learning_rate, jsched.ExponentialDecay)
    np.testing.assert_allclose(float(ours._learning_rate(20)), 0.025, rtol=1e-6)

"""Parity with tf.keras of the rest of Keras's optimizers (Nadam, Adamax, Adadelta, Ftrl,
Lion, Lamb, Adafactor) and of the base options every optimizer shares: weight_decay,
use_ema / ema_momentum / ema_overwrite_frequency, gradient_accumulation_steps and
loss_scale_factor.

Both sides apply the same 50 fixed gradients to the same raw variables (shapes of rank 0
to 3, gradient magnitudes from 1e-5 to 3); tf.keras runs `apply_gradients` in a
tf.function, jkeras its jitted functional `update` (and, for some cases, the imperative
`apply_gradients`). Tolerances are those of test_optimizers_parity.py: 1e-5 relative plus
an absolute floor of 2e-6 times the variable's largest magnitude.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tensorflow as tf  # noqa: E402

from jkeras import optimizers as jopt  # noqa: E402

STEPS = 50
SHAPES = {"kernel": (4, 3), "bias": (3,), "conv": (2, 3, 2), "scalar": ()}
RTOL, SCALE_ATOL = 1e-5, 2e-6
# Ftrl *assigns* each variable a new value; jkeras returns it as an additive update
# (new - old), and old + (new - old) rounds at the scale of the old value (O(1) here):
# a few float32 ulps of 1.0 where the new value is near 0.
FTRL_ATOL = 3e-7


def _scaled(rng, name, shape):
    """Gradient magnitudes: ~1.5 (kernel, scalar), ~1e-4 (bias: epsilon placement shows),
    spread over 1e-5 .. 3 per element (conv)."""
    g = rng.normal(size=shape)
    scale = {"bias": 1e-4, "conv": 10.0 ** rng.uniform(-5, 0.5, size=shape)}.get(name, 1.5)
    return (g * scale).astype(np.float32)


def _data(seed=1):
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    return params, [{k: _scaled(rng, k, s) for k, s in SHAPES.items()} for _ in range(STEPS)]


RULES = {
    "nadam": ("Nadam", {}),
    "nadam_lr": ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8}),
    "adamax": ("Adamax", {}),
    "adamax_lr": ("Adamax", {"learning_rate": 0.02, "beta_2": 0.9}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adadelta_rho": ("Adadelta", {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-6}),
    "ftrl": ("Ftrl", {"learning_rate": 0.05}),
    "ftrl_reg": ("Ftrl", {"learning_rate": 0.05, "l1_regularization_strength": 0.01,
                          "l2_regularization_strength": 0.02,
                          "l2_shrinkage_regularization_strength": 0.01, "beta": 0.1,
                          "learning_rate_power": -0.3}),
    "lion": ("Lion", {}),
    "lion_betas": ("Lion", {"learning_rate": 0.003, "beta_1": 0.5, "beta_2": 0.9}),
    "lamb": ("Lamb", {"learning_rate": 0.01}),
    "adafactor": ("Adafactor", {"learning_rate": 0.01}),
    "adafactor_abs": ("Adafactor", {"learning_rate": 0.3, "relative_step": False,
                                    "clip_threshold": 0.5}),
}

OPTIONS = {
    "none": {},
    "weight_decay": {"weight_decay": 0.05},
    "ema": {"use_ema": True, "ema_momentum": 0.9},
    "ema_overwrite": {"use_ema": True, "ema_momentum": 0.8, "ema_overwrite_frequency": 7},
    "accumulate": {"gradient_accumulation_steps": 3},
    "accumulate_ema_wd": {"gradient_accumulation_steps": 2, "use_ema": True,
                          "ema_overwrite_frequency": 3, "weight_decay": 0.02},
    "loss_scale": {"loss_scale_factor": 8.0},
    "clip_schedule": {"global_clipnorm": 0.5, "learning_rate": "sched"},
}


def _make(module, cls_name, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("learning_rate") == "sched":
        kwargs["learning_rate"] = module.schedules.ExponentialDecay(0.02, 9, 0.7)
    return getattr(module, cls_name)(**kwargs)


def _run_tf(cls_name, kwargs, params, grads):
    opt = _make(tf.keras.optimizers, cls_name, kwargs)
    tvars = [tf.Variable(params[k], name=k) for k in SHAPES]
    opt.build(tvars)

    @tf.function
    def step(gs):
        opt.apply_gradients(zip(gs, tvars))

    out = []
    for i, g in enumerate(grads):
        step([tf.constant(g[k]) for k in SHAPES])
        if (i + 1) % 10 == 0:
            out.append({k: v.numpy() for k, v in zip(SHAPES, tvars)})
    return out, opt


def _run_functional(opt, params, grads):
    p = {k: jnp.asarray(v) for k, v in params.items()}
    state = opt.init(p)

    @jax.jit
    def step(p, state, g):
        return opt.step(g, p, state)

    out = []
    for i, g in enumerate(grads):
        p, state = step(p, state, g)
        if (i + 1) % 10 == 0:
            out.append({k: np.asarray(v) for k, v in p.items()})
    return out, state


class _Var:
    def __init__(self, value, name):
        self.value, self.name = jnp.asarray(value), name

    def assign(self, value):
        self.value = jnp.asarray(value)


def _run_imperative(opt, params, grads):
    jvars = [_Var(params[k], k) for k in SHAPES]
    out = []
    for i, g in enumerate(grads):
        opt.apply_gradients([(jnp.asarray(g[k]), v) for k, v in zip(SHAPES, jvars)])
        if (i + 1) % 10 == 0:
            out.append({k: np.asarray(v.value) for k, v in zip(SHAPES, jvars)})
    return out, jvars


def _close(a, b, label):
    floor = FTRL_ATOL if label.split("/")[0].split()[-1].startswith("ftrl") else 0.0
    np.testing.assert_allclose(a, b, rtol=RTOL, err_msg=label,
                               atol=floor + SCALE_ATOL * float(np.max(np.abs(b))))


def _compare(ours, theirs, label):
    assert len(ours) == len(theirs)
    for n, (a, b) in enumerate(zip(ours, theirs)):
        for k in SHAPES:
            _close(a[k], b[k], f"{label}: variable {k!r} after {10 * (n + 1)} steps")


@pytest.fixture(scope="module")
def data():
    return _data()


def _both(rule, option, data, run_ours):
    """tf.keras's trajectory and optimizer, ours, and ours's final state / variables."""
    params, grads = data
    cls_name, kwargs = RULES[rule]
    kwargs = {**kwargs, **OPTIONS[option]}
    theirs, tf_opt = _run_tf(cls_name, kwargs, params, grads)
    opt = _make(jopt, cls_name, kwargs)
    ours, end = run_ours(opt, params, grads)
    return kwargs, theirs, tf_opt, opt, ours, end


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("rule", sorted(RULES))
def test_trajectory_matches_tf_keras(rule, option, data):
    params = data[0]
    kwargs, theirs, tf_opt, _, ours, state = _both(rule, option, data, _run_functional)
    _compare(ours, theirs, f"{rule}/{option}")
    assert not np.allclose(theirs[-1]["kernel"], params["kernel"], atol=1e-4)
    if kwargs.get("use_ema"):
        # The moving averages match Keras's optimizer variables too.
        tf_avgs = {k: v.numpy() for k, v in zip(SHAPES, tf_opt._model_variables_moving_average)}
        for k in SHAPES:
            _close(np.asarray(state.slots["average"][k]), tf_avgs[k],
                   f"{rule}/{option}: average of {k!r}")


@pytest.mark.parametrize("rule,option", [("nadam", "accumulate_ema_wd"), ("lamb", "ema"),
                                         ("adafactor", "weight_decay"), ("ftrl_reg", "none")])
def test_apply_gradients_matches_tf_keras(rule, option, data):
    params = data[0]
    kwargs, theirs, tf_opt, opt, ours, jvars = _both(rule, option, data, _run_imperative)
    _compare(ours, theirs, f"apply_gradients {rule}/{option}")
    assert int(opt.iterations) == int(tf_opt.iterations.numpy())
    if kwargs.get("use_ema"):
        tvars = [tf.Variable(params[k]) for k in SHAPES]  # finalize onto fresh copies
        tf_opt._trainable_variables = tvars
        tf_opt.finalize_variable_values(tvars)
        opt.finalize_variable_values(jvars)
        for k, tv, jv in zip(SHAPES, tvars, jvars):
            _close(np.asarray(jv.value), tv.numpy(), f"{rule}/{option}: finalized {k!r}")


@pytest.mark.parametrize("base", ["Adam", "SGD", "RMSprop", "Adagrad", "AdamW"])
def test_base_options_on_existing_optimizers(base, data):
    params, grads = data
    kwargs = {"gradient_accumulation_steps": 2, "use_ema": True,
              "ema_overwrite_frequency": 5, "weight_decay": 0.01, "learning_rate": 0.01}
    theirs, _ = _run_tf(base, kwargs, params, grads)
    ours, _ = _run_functional(_make(jopt, base, kwargs), params, grads)
    _compare(ours, theirs, f"{base} with base options")


def test_iterations_and_learning_rate_with_accumulation(data):
    params, grads = data
    kwargs = {"gradient_accumulation_steps": 4, "learning_rate": "sched"}
    _, tf_opt = _run_tf("Nadam", kwargs, params, grads[:10])
    opt = _make(jopt, "Nadam", kwargs)
    _run_imperative(opt, params, grads[:10])
    assert int(opt.iterations) == int(tf_opt.iterations.numpy()) == 2
    np.testing.assert_allclose(opt.learning_rate, tf_opt.learning_rate.numpy(), rtol=1e-6)


@pytest.mark.parametrize("rule", sorted({v[0] for v in RULES.values()}))
def test_config_matches_tf_keras(rule):
    theirs = getattr(tf.keras.optimizers, rule)().get_config()
    ours = getattr(jopt, rule)().get_config()
    theirs.pop("name"), ours.pop("name")
    assert ours == theirs
    again = getattr(jopt, rule).from_config(ours).get_config()
    again.pop("name")
    assert again == ours


@pytest.mark.parametrize("rule", sorted({v[0] for v in RULES.values()}))
def test_variable_layout_matches_tf_keras(rule):
    """Slot order/shapes of `.weights.h5` optimizer variables follow Keras's build."""
    from jkeras.saving import optimizer_vars
    params = {k: np.ones(s, np.float32) for k, s in SHAPES.items()}
    kwargs = {"use_ema": True, "gradient_accumulation_steps": 2}
    tf_opt = getattr(tf.keras.optimizers, rule)(**kwargs)
    tf_opt.build([tf.Variable(params[k]) for k in SHAPES])
    opt = getattr(jopt, rule)(**kwargs)
    state = opt.init({k: jnp.asarray(v) for k, v in params.items()})
    view = optimizer_vars.StateView(state, [(k,) for k in SHAPES])
    ours = [a.shape for a in view.keras_arrays(opt)]
    assert ours == [tuple(v.shape) for v in tf_opt.variables]

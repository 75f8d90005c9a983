"""First steps of every optimizer against hand-derived values (float64 formulas written
out here, independent of the implementation), plus jit == eager and nested pytrees."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jkeras import optimizers as O


def run(opt, grads_seq, params):
    """Apply a sequence of gradients functionally; return the params after each step."""
    state = opt.init(params)
    out = []
    for g in grads_seq:
        updates, state = opt.update(g, state, params)
        params = optax.apply_updates(params, updates)
        out.append(params)
    return out, state


G = [np.array([1.0, -2.0, 1e-4], np.float32), np.array([0.5, 0.5, -3e-4], np.float32),
     np.array([-1.0, 0.25, 2e-4], np.float32)]
P0 = np.array([1.0, -1.0, 0.5], np.float32)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-8)


def test_sgd_plain_literal_values():
    out, state = run(O.SGD(learning_rate=0.1), G[:2], jnp.asarray(P0))
    close(out[0], [0.9, -0.8, 0.49999])
    close(out[1], [0.85, -0.85, 0.50002])
    assert state.slots == {} and int(state.iterations) == 2


def test_sgd_momentum_and_nesterov_literal_values():
    out, _ = run(O.SGD(learning_rate=0.1, momentum=0.9), G[:2], jnp.asarray(P0))
    # m1 = -0.1 g1 = [-0.1, 0.2]; m2 = 0.9 m1 - 0.1 g2 = [-0.14, 0.13]
    close(out[0][:2], [0.9, -0.8])
    close(out[1][:2], [0.76, -0.67])
    out, _ = run(O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), G[:2],
                 jnp.asarray(P0))
    # p1 = p0 + 0.9 m1 - 0.1 g1;  p2 = p1 + 0.9 m2 - 0.1 g2
    close(out[0][:2], [0.81, -0.62])
    close(out[1][:2], [0.634, -0.553])


F = np.float32  # references run in float32, op for op as Keras does


def adam_reference(grads, p, lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    p = p.astype(F)
    m = np.zeros_like(p); v = np.zeros_like(p); vh = np.zeros_like(p)
    out = []
    for t, g in enumerate(grads, start=1):
        if wd is not None:
            p = p - p * F(wd) * F(lr)
        m = m + (g - m) * F(1 - b1)
        v = v + (g * g - v) * F(1 - b2)
        vh = np.maximum(vh, v)
        alpha = F(lr) * np.sqrt(F(1) - F(b2) ** F(t)) / (F(1) - F(b1) ** F(t))
        p = p - m * alpha / (np.sqrt(vh if amsgrad else v) + F(eps))
        out.append(p)
    return out


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_first_steps(amsgrad):
    out, state = run(O.Adam(learning_rate=0.1, amsgrad=amsgrad), G, jnp.asarray(P0))
    for a, b in zip(out, adam_reference(G, P0, 0.1, amsgrad=amsgrad)):
        close(a, b)
    names = {"momentum", "velocity"} | ({"velocity_hat"} if amsgrad else set())
    assert set(state.slots) == names


def test_adam_epsilon_sits_on_uncorrected_sqrt_v_unlike_optax():
    g = [np.full(3, 1e-6, np.float32)] * 3  # tiny gradients: eps dominates sqrt(v)
    ours, _ = run(O.Adam(learning_rate=1.0), g, jnp.zeros(3))
    close(ours[-1], adam_reference(g, np.zeros(3), 1.0)[-1])
    # float64 formula: f32 rounding of 1 - 0.999**t costs ~2e-5 relative here.
    np.testing.assert_allclose(np.asarray(ours[-1]), [-0.90299171] * 3, rtol=1e-4)
    theirs, _ = run(optax.adam(1.0, eps=1e-7), g, jnp.zeros(3))
    rel = abs(float(ours[-1][0]) - float(theirs[-1][0])) / abs(float(theirs[-1][0]))
    assert rel > 0.1  # optax puts eps after bias correction: a different step


def test_adamw_decays_before_the_adam_step():
    out, _ = run(O.AdamW(learning_rate=0.1, weight_decay=0.2), G, jnp.asarray(P0))
    for a, b in zip(out, adam_reference(G, P0, 0.1, wd=0.2)):
        close(a, b)
    assert O.AdamW().weight_decay == 0.004


def rmsprop_reference(grads, p, lr, rho=0.9, mom=0.0, eps=1e-7, centered=False):
    p = p.astype(F)
    v = np.zeros_like(p); a = np.zeros_like(p); mo = np.zeros_like(p)
    out = []
    for g in grads:
        v = F(rho) * v + F(1 - rho) * (g * g)
        a = F(rho) * a + F(1 - rho) * g
        denom = (v - a * a if centered else v) + F(eps)
        inc = F(lr) * g / np.sqrt(denom)
        mo = F(mom) * mo + inc
        p = p - (mo if mom > 0 else inc)
        out.append(p)
    return out


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_first_steps(centered, momentum):
    opt = O.RMSprop(learning_rate=0.01, momentum=momentum, centered=centered)
    out, state = run(opt, G, jnp.asarray(P0))
    for a, b in zip(out, rmsprop_reference(G, P0, 0.01, mom=momentum, centered=centered)):
        close(a, b)
    expected = {"velocity"} | ({"momentum"} if momentum else set()) | (
        {"average_gradient"} if centered else set())
    assert set(state.slots) == expected


def test_rmsprop_literal_first_step():
    out, _ = run(O.RMSprop(learning_rate=0.01), [np.ones(1, np.float32)], jnp.zeros(1))
    close(out[0], [-0.01 / np.sqrt(0.1 + 1e-7)])  # eps inside the sqrt


def test_adagrad_first_steps():
    out, state = run(O.Adagrad(learning_rate=0.1), G, jnp.asarray(P0))
    p, acc = P0.copy(), np.full(3, 0.1, np.float32)
    for a, g in zip(out, G):
        acc = acc + g * g
        p = p - F(0.1) * g / np.sqrt(acc + F(1e-7))
        close(a, p)
    close(out[0][:2], [1 - 0.1 / np.sqrt(1.1 + 1e-7), -1 + 0.2 / np.sqrt(4.1 + 1e-7)])
    close(O.Adagrad(initial_accumulator_value=0.5).init(jnp.zeros(2)).slots["accumulator"],
          [0.5, 0.5])


ALL = [
    lambda: O.SGD(0.1), lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: O.Adam(0.01, amsgrad=True), lambda: O.AdamW(0.01, weight_decay=0.1),
    lambda: O.RMSprop(0.01, momentum=0.5, centered=True), lambda: O.Adagrad(0.1),
    lambda: O.Adam(0.01, global_clipnorm=1.0),
    lambda: O.SGD(O.schedules.ExponentialDecay(0.1, 2, 0.5), clipvalue=0.5),
]


def nested_params():
    rng = np.random.default_rng(1)
    return {"dense": {"kernel": jnp.asarray(rng.normal(size=(3, 2)), jnp.float32),
                      "bias": jnp.zeros(2)},
            "blocks": [{"gamma": jnp.ones(4)}, {"beta": jnp.asarray(rng.normal(size=4),
                                                                    jnp.float32)}]}


@pytest.mark.parametrize("make", ALL)
def test_jit_equals_eager_on_nested_pytrees(make):
    params = nested_params()
    grads = jax.tree_util.tree_map(lambda p: jnp.sin(3.0 * p) + 0.3, params)
    opt = make()
    state_e = state_j = opt.init(params)
    jit_update = jax.jit(opt.update)
    pe = pj = params
    for _ in range(3):
        ue, state_e = opt.update(grads, state_e, pe)
        uj, state_j = jit_update(grads, state_j, pj)
        pe, pj = optax.apply_updates(pe, ue), optax.apply_updates(pj, uj)
    assert jax.tree_util.tree_structure(pe) == jax.tree_util.tree_structure(params)
    for a, b in zip(jax.tree_util.tree_leaves(pe), jax.tree_util.tree_leaves(pj)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # Slots mirror the params tree; the state is a pytree that jit returns intact.
    for slot in state_j.slots.values():
        assert jax.tree_util.tree_structure(slot) == jax.tree_util.tree_structure(params)
    assert state_j.iterations.dtype == jnp.int32 and int(state_j.iterations) == 3
    assert not np.allclose(pe["dense"]["kernel"], params["dense"]["kernel"])


def test_works_inside_lax_scan_and_with_optax_chain():
    params = {"w": jnp.ones(3)}
    opt = O.Adam(0.1)

    def body(carry, g):
        p, s = carry
        u, s = opt.update({"w": g}, s, p)
        return (optax.apply_updates(p, u), s), None

    gs = jnp.ones((5, 3))
    (p_scan, s_scan), _ = jax.lax.scan(body, (params, opt.init(params)), gs)
    p_loop, _ = run(opt, [{"w": g} for g in gs], params)
    np.testing.assert_allclose(p_scan["w"], p_loop[-1]["w"], rtol=1e-6)
    assert int(s_scan.iterations) == 5
    chained = optax.chain(optax.clip(10.0), opt.as_optax())
    p_chain, _ = run(chained, [{"w": g} for g in gs], params)
    np.testing.assert_allclose(p_chain[-1]["w"], p_loop[-1]["w"], rtol=1e-6)


def test_step_helper_and_bfloat16_params():
    opt = O.SGD(0.5)
    params = {"w": jnp.ones(2, jnp.bfloat16)}
    new, state = opt.step({"w": jnp.ones(2, jnp.float32)}, params, opt.init(params))
    assert new["w"].dtype == jnp.bfloat16
    np.testing.assert_allclose(np.asarray(new["w"], np.float32), [0.5, 0.5])

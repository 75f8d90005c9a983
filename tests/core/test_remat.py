"""`jkeras.remat` and `jkeras.RematScope` (Keras 3.15): the same gradients, and the traced
program holds JAX's rematerialization (checkpoint) primitive where the mode asks for it."""
import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras


def _remat_count(fn, *args):
    """How many checkpoint/remat equations the jaxpr of `fn` holds (sub-jaxprs included)."""
    def count(jaxpr):
        n = 0
        for eqn in jaxpr.eqns:
            if eqn.primitive.name in ("checkpoint", "remat", "remat2"):
                n += 1
            for sub in jax.core.jaxprs_in_params(eqn.params):
                n += count(sub)
        return n
    return count(jax.make_jaxpr(fn)(*args).jaxpr)


def test_remat_is_jax_checkpoint():
    f = lambda x: jnp.sum(jnp.sin(jnp.cos(x)) ** 2)  # noqa: E731
    x = jnp.arange(4.0)
    np.testing.assert_allclose(np.asarray(jax.grad(jkeras.remat(f))(x)),
                               np.asarray(jax.grad(f)(x)), rtol=1e-6)
    assert _remat_count(jax.grad(jkeras.remat(f)), x) == 1
    assert _remat_count(jax.grad(f), x) == 0


def _model(scope):
    jkeras.utils.clear_session()
    jkeras.utils.set_random_seed(0)
    with scope:
        return jkeras.Sequential([jkeras.Input((4,)),
                                  jkeras.layers.Dense(8, activation="relu", name="wide"),
                                  jkeras.layers.Dense(1, name="narrow")])


X = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")


def _grad_and_count(model):
    variables = model.get_variables()

    def loss(params):
        out, _ = model.apply({"params": params, "state": variables["state"]}, X)
        return jnp.sum(out ** 2)
    grad = jax.grad(loss)(variables["params"])
    return grad, _remat_count(loss, variables["params"])


@pytest.mark.parametrize("scope, expected", [
    (lambda: jkeras.RematScope(mode="full"), 3),  # the model and both layers
    (lambda: jkeras.RematScope(mode="list_of_layers", layer_names=["wide"]), 1),
    (lambda: jkeras.RematScope(mode="larger_than", output_size_threshold=10), 1),  # 5x8 > 10
    # both Dense layers: `activation=None` is `linear`, which Keras rematerializes too
    (lambda: jkeras.RematScope(mode="activations"), 2),
    (lambda: jkeras.RematScope(mode=None), 0),
])
def test_scope_modes_same_gradients_and_remat_in_the_jaxpr(scope, expected):
    plain, n_plain = _grad_and_count(_model(contextlib.nullcontext()))
    remat, n_remat = _grad_and_count(_model(scope()))
    assert n_plain == 0 and n_remat == expected
    for a, b in zip(jax.tree_util.tree_leaves(plain), jax.tree_util.tree_leaves(remat)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)


def test_fit_inside_remat_equals_fit_without():
    y = np.ones((5, 1), "float32")
    losses = []
    for scope in (contextlib.nullcontext(), jkeras.RematScope()):
        model = _model(scope)
        model.compile(optimizer="sgd", loss="mse")
        losses.append(model.fit(X, y, epochs=2, batch_size=5, verbose=0).history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-6)


def test_the_mode_is_taken_when_the_layer_is_created(tf):
    with jkeras.RematScope(mode="list_of_layers", layer_names=["a"]) as scope:
        assert scope.layer_names == ["a"]
        inner = jkeras.layers.Dense(2)
        with jkeras.RematScope(mode=None):
            off = jkeras.layers.Dense(2)
    outside = jkeras.layers.Dense(2)
    assert inner._remat_mode.mode == "list_of_layers" and inner._remat_mode.layer_names == ["a"]
    assert off._remat_mode.mode is None and outside._remat_mode is None
    for K in (jkeras, tf.keras):
        with pytest.raises(ValueError, match="Invalid mode 'some'"):
            K.RematScope(mode="some")
        assert K.RematScope().output_size_threshold == 1024


def test_add_loss_inside_a_rematerialized_layer():
    class Penalized(jkeras.layers.Layer):
        def call(self, x):
            self.add_loss(jnp.sum(x ** 2))
            return x * 2

    with jkeras.RematScope():
        layer = Penalized()
    out = layer(jnp.ones((2, 2)))
    np.testing.assert_array_equal(np.asarray(out), 2 * np.ones((2, 2)))
    assert [float(v) for v in layer.losses] == [4.0]

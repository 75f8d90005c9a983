"""FlaxLayer: linen modules (params, batch statistics, dropout keys, custom methods) through
layer_test with tf.keras parity (tf.keras's FlaxLayer runs the same module through jax2tf),
outputs equal to `module.apply` on the same variables, training and saving in jkeras, errors."""
import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test

nn = pytest.importorskip("flax.linen")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3)).astype("float32")


def _register(cls):  # in both registries, so each library resolves the other's config
    keras.saving.register_keras_serializable("flax_layer_test")(cls)
    return jkeras.saving.register_keras_serializable("flax_layer_test")(cls)


class _Configless:
    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@_register
class TinyMLP(_Configless, nn.Module):
    @nn.compact
    def __call__(self, inputs):
        return nn.Dense(2)(nn.tanh(nn.Dense(5)(inputs)))


@_register
class BatchNormDropout(_Configless, nn.Module):
    @nn.compact
    def __call__(self, inputs, training=False):
        x = nn.Dense(6)(inputs)
        x = nn.BatchNorm(use_running_average=not training, momentum=0.5)(x)
        x = nn.Dropout(0.5, deterministic=not training)(x)
        return nn.Dense(2)(nn.relu(x))


@_register
class TwoMethods(_Configless, nn.Module):
    @nn.compact
    def forward(self, inputs):
        return nn.Dense(3, name="proj")(inputs) * 2.0


@_register
def forward_wrapper(module, inputs, training):
    return module.forward(inputs) + (1.0 if training else 0.0)


def _flax_variables(layer):
    """The layer's held weights as the module's variables dict (its trees, in leaf order)."""
    trees = [jax.tree_util.tree_unflatten(layer._trees[i], [v.value for v in layer._vars[i]])
             for i in (0, 1)]
    return {**trees[0], **trees[1]}


def test_linen_params_only(tf):
    result = layer_test(L.FlaxLayer, {"module": TinyMLP()}, input_shape=(4, 3),
                        expected_output_shape=(4, 2), expected_num_trainable_weights=4,
                        expected_num_non_trainable_weights=0)
    assert result.tf_outputs is not None
    layer = result.layer
    want = TinyMLP().apply(_flax_variables(layer), result.inputs[0])
    np.testing.assert_allclose(result.outputs, want, rtol=1e-6)


def test_linen_batch_stats_and_dropout(tf):
    result = layer_test(L.FlaxLayer, {"module": BatchNormDropout()}, input_shape=(4, 3),
                        expected_output_shape=(4, 2), expected_num_trainable_weights=6,
                        expected_num_non_trainable_weights=2)
    layer, variables = result.layer, result.variables
    flax_vars = _flax_variables(layer)
    key = jax.random.PRNGKey(3)
    out, state = layer.apply(variables, X, training=True, rng=key)
    want, updates = BatchNormDropout().apply(flax_vars, X, training=True,
                                             rngs={"dropout": key}, mutable=["batch_stats"])
    assert np.abs(np.asarray(out)).sum() > 0 and np.any(np.asarray(out) == 0)  # dropout on
    np.testing.assert_allclose(sorted(np.concatenate([np.ravel(s) for s in
                                                      jax.tree_util.tree_leaves(state)])),
                               sorted(np.concatenate([np.ravel(s) for s in
                                                      jax.tree_util.tree_leaves(updates)])),
                               rtol=1e-6)
    inference = BatchNormDropout().apply(flax_vars, X, training=False)
    np.testing.assert_allclose(layer(X), inference, rtol=1e-6)


@pytest.mark.parametrize("method", ["bound", "function"])
def test_custom_method(method):
    module = TwoMethods()
    given = module.forward if method == "bound" else forward_wrapper
    result = layer_test(L.FlaxLayer, {"module": module, "method": given}, input_shape=(2, 4),
                        expected_output_shape=(2, 3), expected_num_trainable_weights=2,
                        tf_parity=False)
    config = result.layer.get_config()
    want = "forward" if method == "bound" else {
        "module": "builtins", "class_name": "function", "registered_name": "function",
        "config": "flax_layer_test>forward_wrapper"}
    assert config["method"] == want


def test_given_variables():
    variables = TinyMLP().init(jax.random.PRNGKey(7), X)
    layer = L.FlaxLayer(TinyMLP(), variables=variables)
    np.testing.assert_allclose(layer(X), TinyMLP().apply(variables, X), rtol=1e-6)
    assert len(layer.trainable_weights) == 4


def test_model_trains_saves_and_loads(tmp_path):
    x = RNG.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] - x[:, 1:2] > 0).astype("int32")
    inp = jkeras.Input((3,))
    model = jkeras.Model(inp, L.Softmax()(L.FlaxLayer(BatchNormDropout())(inp)))
    model.compile(jkeras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    model.save(tmp_path / "flax.keras")
    loaded = jkeras.models.load_model(tmp_path / "flax.keras")
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_errors():
    with pytest.raises(TypeError, match="expects a `flax.linen.Module` or `flax.nnx.Module`"):
        L.FlaxLayer(lambda inputs: inputs)

    @_register
    class NoInputs(_Configless, nn.Module):
        @nn.compact
        def __call__(self, x):
            return x

    with pytest.raises(ValueError, match="must take an argument named `inputs`"):
        L.FlaxLayer(NoInputs())


def test_missing_flax_is_a_clear_error(monkeypatch):
    import sys
    for name in [n for n in sys.modules if n == "flax" or n.startswith("flax.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "flax", None)
    with pytest.raises(ImportError, match=r"FlaxLayer needs Flax.*pip install flax"):
        L.FlaxLayer(object())


# ---- NNX (jkeras's addition: Keras 3.15's FlaxLayer wraps linen modules only) -------------------
nnx = pytest.importorskip("flax.nnx")


@jkeras.saving.register_keras_serializable("flax_layer_test")
class NnxNet(nnx.Module):
    def __init__(self, features=4, dropout=0.0, seed=0):
        rngs = nnx.Rngs(seed)
        self.features, self.dropout, self.seed = features, dropout, seed
        self.lin = nnx.Linear(3, features, rngs=rngs)
        self.bn = nnx.BatchNorm(features, momentum=0.5, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.out = nnx.Linear(features, 2, rngs=rngs)

    def __call__(self, inputs):
        return self.out(self.drop(nnx.relu(self.bn(self.lin(inputs)))))

    def get_config(self):
        return {"features": self.features, "dropout": self.dropout, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_nnx_module_layer_test_and_module_parity():
    result = layer_test(L.FlaxLayer, {"module": NnxNet()}, input_shape=(4, 3),
                        expected_output_shape=(4, 2), expected_num_trainable_weights=6,
                        expected_num_non_trainable_weights=2, tf_parity=False)
    layer = result.layer
    twin = NnxNet()  # the same seed: the same initial values as the wrapped module
    twin.eval()
    np.testing.assert_allclose(layer(X), twin(X), rtol=1e-6)
    out, state = layer.apply(layer.get_variables(), X, training=True,
                             rng=jax.random.PRNGKey(0))
    twin.train()
    np.testing.assert_allclose(out, twin(X), rtol=1e-5, atol=1e-6)  # no dropout: same output
    mean, var = (w.name for w in layer.non_trainable_weights)  # tree order: bn.mean, bn.var
    np.testing.assert_allclose(state[mean], twin.bn.mean.value, rtol=1e-6)
    np.testing.assert_allclose(state[var], twin.bn.var.value, rtol=1e-6)


def test_nnx_dropout_uses_the_call_key():
    layer = L.FlaxLayer(NnxNet(features=64, dropout=0.5))
    layer(X)
    variables = layer.get_variables()
    a, _ = layer.apply(variables, X, training=True, rng=jax.random.PRNGKey(1))
    b, _ = layer.apply(variables, X, training=True, rng=jax.random.PRNGKey(1))
    c, _ = layer.apply(variables, X, training=True, rng=jax.random.PRNGKey(2))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_array_equal(layer(X), layer(X))  # inference: no dropout


def test_nnx_model_trains_saves_and_loads(tmp_path):
    x = RNG.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] - x[:, 1:2] > 0).astype("int32")
    inp = jkeras.Input((3,))
    model = jkeras.Model(inp, L.Softmax()(L.FlaxLayer(NnxNet(16, 0.2))(inp)))
    model.compile(jkeras.optimizers.Adam(0.02), "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    model.save(tmp_path / "nnx.keras")
    loaded = jkeras.models.load_model(tmp_path / "nnx.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_nnx_errors():
    with pytest.raises(ValueError, match="an NNX module already holds its values"):
        L.FlaxLayer(NnxNet(), variables={"params": {}})

"""Functional API: graphs, multiple inputs/outputs (lists and dicts), shared layers, nesting."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def test_single_io_model_matches_manual_computation():
    inputs = jkeras.Input(shape=(16,))
    dense = L.Dense(64, activation="relu")
    x = dense(inputs)
    x = L.Dense(64, activation="relu")(x)
    outputs = L.Dense(10)(x)
    model = jkeras.Model(inputs=inputs, outputs=outputs, name="model")
    assert model.name == "model" and model.built
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1", "dense_2"]
    xs = np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32)
    k0, b0, k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(np.maximum(xs @ k0 + b0, 0) @ k1 + b1, 0)
    np.testing.assert_allclose(model(xs), h @ k2 + b2, rtol=1e-5, atol=1e-6)


def test_multiple_inputs_and_outputs_as_lists_and_dicts():
    a, b = jkeras.Input(shape=(3,), name="a"), jkeras.Input(shape=(2,), name="b")
    merged = L.Concatenate()([L.Dense(4)(a), b])
    out1, out2 = L.Dense(1, name="score")(merged), L.Dense(2, name="klass")(merged)
    xa, xb = np.ones((5, 3), np.float32), np.ones((5, 2), np.float32)
    listed = jkeras.Model([a, b], [out1, out2])
    y1, y2 = listed([xa, xb])
    assert y1.shape == (5, 1) and y2.shape == (5, 2)
    assert listed.output_names == ["score", "klass"]
    keyed = jkeras.Model({"a": a, "b": b}, {"s": out1, "k": out2})
    out = keyed({"a": xa, "b": xb})
    np.testing.assert_allclose(out["s"], y1, rtol=1e-6)
    assert keyed.output_names == ["s", "k"]
    with pytest.raises(ValueError, match="missing inputs"):
        keyed({"a": xa})


def test_shared_layer_called_twice_has_one_set_of_weights():
    shared = L.Dense(3)
    a, b = jkeras.Input(shape=(3,)), jkeras.Input(shape=(3,))
    model = jkeras.Model([a, b], L.Add()([shared(a), shared(b)]))
    assert len(model.weights) == 2
    x = np.eye(3, dtype=np.float32)
    k, bias = shared.get_weights()
    np.testing.assert_allclose(model([x, x]), 2 * (x @ k + bias), rtol=1e-6)


def test_one_layer_in_two_models_shares_weights():
    encoder_input = jkeras.Input(shape=(4,))
    encoder = jkeras.Model(encoder_input, L.Dense(2)(encoder_input), name="encoder")
    outer_input = jkeras.Input(shape=(4,))
    outer = jkeras.Model(outer_input, L.Dense(1)(encoder(outer_input)))
    assert [layer.name for layer in outer.layers][1] == "encoder"
    x = np.ones((1, 4), np.float32)
    before = np.asarray(outer(x))
    encoder.set_weights([w * 2 for w in encoder.get_weights()])
    assert not np.allclose(outer(x), before)
    assert set(outer.get_variables()["params"]) == {"encoder", "dense_1"}


def test_models_nest_in_sequential_and_functional_under_jit():
    inner_in = jkeras.Input(shape=(3,))
    inner = jkeras.Model(inner_in, L.Dense(5, activation="tanh")(inner_in))
    seq = jkeras.Sequential([jkeras.Input(shape=(3,)), inner, L.Dense(1)])
    v = seq.get_variables()
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(jax.jit(seq.apply)(v, x)[0], seq(x), rtol=1e-6, atol=1e-7)


def test_graph_errors():
    a, b = jkeras.Input(shape=(3,)), jkeras.Input(shape=(3,))
    out = L.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        jkeras.Model(a, out)
    with pytest.raises(ValueError, match="must be symbolic tensors created by `jkeras.Input`"):
        jkeras.Model(L.Dense(2)(a), out)
    with pytest.raises(ValueError, match="must be symbolic tensors created by `jkeras.Input`"):
        jkeras.Model(np.ones((1, 3)), out)
    with pytest.raises(ValueError, match="`outputs` values must be symbolic"):
        jkeras.Model(a, np.ones((1, 3)))
    other = jkeras.Input(shape=(3,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        jkeras.Model(a, L.Dense(1)(other))


def test_input_shape_mismatch_is_reported_before_jax():
    a = jkeras.Input(shape=(3,))
    model = jkeras.Model(a, L.Dense(1)(a))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(2, 4\)"):
        model(np.ones((2, 4), np.float32))


def test_symbolic_arithmetic_builds_lambda_layers():
    a = jkeras.Input(shape=(2,))
    model = jkeras.Model(a, L.Dense(2, kernel_initializer="identity")(a) * 3 + 1)
    np.testing.assert_allclose(model(np.ones((1, 2), np.float32)), [[4.0, 4.0]])


class MaskFromZeros(L.Layer):
    """Emits a mask of non-zero timesteps, like Embedding(mask_zero=True)."""

    def call(self, x):
        return x

    def compute_mask(self, inputs, previous_mask):
        return jnp.any(inputs != 0, axis=-1)


class MaskedSum(L.Layer):
    def call(self, x, mask=None):
        return jnp.sum(x * mask[..., None], axis=1) if mask is not None else jnp.sum(x, axis=1)


def test_masks_propagate_through_sequential_and_functional():
    import jax.numpy as jnp  # noqa: F401  (used by the helper layers)
    x = np.array([[[1.0], [0.0], [2.0]]], np.float32)
    seq = jkeras.Sequential([MaskFromZeros(), L.Dense(1, kernel_initializer="ones",
                                                     bias_initializer="ones"), MaskedSum()])
    np.testing.assert_allclose(seq(x), [[5.0]])  # (1+1) + (2+1); the masked step is dropped
    inp = jkeras.Input(shape=(3, 1))
    h = L.Dense(1, kernel_initializer="ones", bias_initializer="ones")(MaskFromZeros()(inp))
    model = jkeras.Model(inp, MaskedSum()(h))
    np.testing.assert_allclose(model(x), [[5.0]])


def test_unknown_spatial_sizes_with_valid_convolutions_and_pooling():
    inp = jkeras.Input(shape=(None, None, 3))
    x = L.Conv2D(4, 3)(inp)
    x = L.MaxPooling2D(2)(x)
    assert x.shape == (None, None, None, 4)
    model = jkeras.Model(inp, L.GlobalAveragePooling2D()(x))
    assert model.output_shape == (None, 4)
    assert model(np.ones((2, 10, 12, 3), np.float32)).shape == (2, 4)


def test_a_one_element_output_list_gives_the_tensor_itself(tf):
    # Keras's Functional.call unpacks a singleton: Model(inputs, [y])(x) is y, not [y].
    import jkeras
    x = np.ones((2, 3), "float32")
    for k in (jkeras, tf.keras):
        inputs = k.Input((3,))
        model = k.Model(inputs, [k.layers.Dense(2)(inputs)])
        assert not isinstance(model(x), (list, tuple))
        assert not isinstance(model.predict(x, verbose=0), (list, tuple))
        assert isinstance(model.output, list)
        model.compile(optimizer="sgd", loss=["mse"])
        assert list(model.fit(x, np.zeros((2, 2)), verbose=0).history) == ["loss"]

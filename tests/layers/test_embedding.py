"""Embedding: lookup, weights, masks, the pure protocol and bad indices."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

IDS = np.array([[1, 2, 0, 4], [3, 0, 0, 9]], np.int32)


def test_lookup_weights_and_shapes():
    layer = L.Embedding(10, 3)
    y = layer(IDS)
    assert y.shape == (2, 4, 3) and y.dtype == jnp.float32
    [table] = layer.get_weights()
    assert [w.path for w in layer.weights] == ["embedding/embeddings"]
    assert table.shape == (10, 3) and np.abs(table).max() <= 0.05  # "uniform": U(-0.05, 0.05)
    np.testing.assert_array_equal(y, table[IDS])
    np.testing.assert_array_equal(layer(IDS.astype(np.int64)), table[IDS])


def test_whole_float_and_bool_indices_are_accepted():
    layer = L.Embedding(10, 3)
    table = np.asarray(layer(IDS))
    np.testing.assert_array_equal(layer(IDS.astype(np.float32)), table)
    np.testing.assert_array_equal(layer(np.array([[True, False]])),
                                  np.asarray(layer(np.array([[1, 0]]))))


def test_init_apply_jit_grad():
    layer = L.Embedding(10, 3)
    v = layer.init(jax.random.PRNGKey(0), IDS)
    assert jax.tree_util.tree_map(jnp.shape, v) == {"params": {"embeddings": (10, 3)},
                                                   "state": {}}
    y, state = layer.apply(v, IDS)
    assert y.shape == (2, 4, 3) and state == {}
    yj = jax.jit(lambda v, x: layer.apply(v, x)[0])(v, IDS)
    np.testing.assert_array_equal(yj, y)

    def loss(params):
        return jnp.sum(layer.apply({"params": params, "state": {}}, IDS)[0])
    g = jax.grad(loss)(v["params"])["embeddings"]
    counts = np.bincount(IDS.ravel(), minlength=10)
    np.testing.assert_allclose(g, np.repeat(counts[:, None], 3, axis=1))


def test_mask_zero():
    layer = L.Embedding(10, 3, mask_zero=True)
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(IDS, None), IDS != 0)
    assert L.Embedding(10, 3).compute_mask(IDS, None) is None


def test_initializer_argument():
    layer = L.Embedding(4, 2, embeddings_initializer="ones")
    np.testing.assert_array_equal(layer(np.array([[0, 3]])), np.ones((1, 2, 2)))


def test_bad_indices_name_the_layer():
    layer = L.Embedding(10, 3, name="words")
    with pytest.raises(ValueError,
                       match=r"Layer 'words' \(Embedding\) expects integer indices.*1.5"):
        layer(np.array([[1.5, 2.0]], np.float32))
    with pytest.raises(ValueError, match="Layer 'words'.*nan"):
        layer(np.array([[np.nan]], np.float32))
    with pytest.raises(TypeError, match="Layer 'words'.*integer indices"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match=r"Layer 'words'.*index 12 is not in \[0, 10\)"):
        layer(np.array([[1, 12]]))
    with pytest.raises(ValueError, match=r"index -1 is not in"):
        layer(np.array([[-1, 2]]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        L.Embedding(0, 3)
    with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
        L.Embedding(5, 2.0)
    with pytest.raises(ValueError, match="`input_dim`"):
        L.Embedding(True, 2)


def test_in_sequential_with_mask_into_lstm():
    model = jkeras.Sequential([jkeras.Input(shape=(None,)), L.Embedding(10, 3, mask_zero=True),
                               L.LSTM(5)])
    assert model.output_shape == (None, 5)
    y = model(IDS.astype(np.float32))
    assert y.shape == (2, 5)
    # padded steps (zeros, anywhere) are skipped: same as the sequence without them
    np.testing.assert_allclose(y[:1], model(np.array([[1, 2, 4]])), rtol=1e-5)
    np.testing.assert_allclose(y[1:], model(np.array([[3, 9]])), rtol=1e-5)

"""MultiHeadAttention: weights layout, the pure protocol, masks, dropout and errors.
(Numerics against tf.keras live in tests/parity/test_rnn_attention_parity.py.)"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


Q, V = data((2, 5, 6)), data((2, 4, 3), 1)


def test_weights_layout():
    mha = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)
    mha(Q, V)
    assert [(w.path, w.shape) for w in mha.weights] == [
        ("query/kernel", (6, 2, 4)), ("query/bias", (2, 4)),
        ("key/kernel", (3, 2, 4)), ("key/bias", (2, 4)),
        ("value/kernel", (3, 2, 3)), ("value/bias", (2, 3)),
        ("attention_output/kernel", (2, 3, 6)), ("attention_output/bias", (6,))]
    v = mha.get_variables()
    assert list(v["params"]) == ["query", "key", "value", "attention_output"]
    no_bias = L.MultiHeadAttention(2, 4, use_bias=False, output_shape=7)
    assert no_bias(Q, V).shape == (2, 5, 7)
    assert [w.path for w in no_bias.weights] == ["query/kernel", "key/kernel", "value/kernel",
                                                 "attention_output/kernel"]
    assert no_bias.weights[-1].shape == (2, 4, 7)


def test_init_apply_jit_grad():
    mha = L.MultiHeadAttention(2, 4)
    v = mha.init(jax.random.PRNGKey(0), (None, 5, 6), (None, 4, 3))
    (y, scores), state = mha.apply(v, Q, V, return_attention_scores=True)
    assert y.shape == (2, 5, 6) and scores.shape == (2, 2, 5, 4) and state == {}
    np.testing.assert_allclose(scores.sum(-1), 1.0, rtol=1e-5)
    yj = jax.jit(lambda v, q, x: mha.apply(v, q, x)[0])(v, Q, V)
    np.testing.assert_allclose(yj, y, rtol=1e-5, atol=1e-6)

    def loss(params, q, x):
        return jnp.sum(mha.apply({"params": params, "state": {}}, q, x, key=x)[0] ** 2)
    grads = jax.grad(loss, argnums=(0, 1, 2))(v["params"], Q, V)
    for leaf in jax.tree_util.tree_leaves(grads):
        assert np.all(np.isfinite(leaf)) and np.abs(leaf).sum() > 0


def test_masks():
    mha = L.MultiHeadAttention(2, 4)
    mask = np.ones((2, 5, 4), bool)
    mask[:, :, 2:] = False
    _, scores = mha(Q, V, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(scores)[..., 2:], 0.0, atol=1e-7)
    _, causal = mha(Q, V, use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(np.asarray(causal)[0, 0], 1), 0)
    # value_mask hides the same keys as an attention mask
    value_mask = np.array([[1, 1, 0, 0]] * 2, bool)
    np.testing.assert_allclose(mha(Q, V, value_mask=value_mask), mha(Q, V, attention_mask=mask),
                               rtol=1e-6)


def test_self_attention_in_a_functional_model_with_padding_mask():
    inp = jkeras.Input(shape=(5,))
    x = L.Embedding(10, 4, mask_zero=True)(inp)
    x = L.MultiHeadAttention(2, 3)(x, x)
    model = jkeras.Model(inp, L.LSTM(3)(x))
    ids = np.array([[1, 2, 3, 0, 0]], np.float32)
    short = np.array([[1, 2, 3]], np.float32)
    inp2 = jkeras.Input(shape=(3,))
    e2 = L.Embedding(10, 4, mask_zero=True)
    y2 = L.MultiHeadAttention(2, 3)(e2(inp2), e2(inp2))
    model2 = jkeras.Model(inp2, L.LSTM(3)(y2))
    model2.set_weights(model.get_weights())
    np.testing.assert_allclose(model(ids), model2(short), rtol=1e-5, atol=1e-6)


def test_attention_axes_and_higher_rank():
    x = data((2, 3, 4, 5))
    mha = L.MultiHeadAttention(2, 3, attention_axes=(1, 2))
    y, scores = mha(x, x, return_attention_scores=True)
    assert y.shape == x.shape and scores.shape == (2, 2, 3, 4, 3, 4)
    y, scores = L.MultiHeadAttention(2, 3, attention_axes=2)(x, x, return_attention_scores=True)
    assert scores.shape == (2, 3, 2, 4, 4)


def test_dropout_only_in_training():
    mha = L.MultiHeadAttention(2, 4, dropout=0.5)
    v = mha.init(jax.random.PRNGKey(0), Q, V)
    a = mha.apply(v, Q, V)[0]
    np.testing.assert_allclose(a, mha.apply(v, Q, V)[0])
    b = mha.apply(v, Q, V, training=True, rng=jax.random.PRNGKey(1))[0]
    assert not np.allclose(a, b)


def test_errors():
    with pytest.raises(ValueError, match="`num_heads`, expected a positive integer. "
                                         "Received: num_heads=0"):
        L.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="num_heads=-2"):
        L.MultiHeadAttention(-2, 4)
    with pytest.raises(ValueError, match="`key_dim`"):
        L.MultiHeadAttention(2, 0)
    with pytest.raises(ValueError, match="`value_dim`"):
        L.MultiHeadAttention(2, 4, value_dim=-1)
    with pytest.raises(ValueError, match="`dropout`"):
        L.MultiHeadAttention(2, 4, dropout=1.5)
    with pytest.raises(ValueError, match="attention_axes"):
        L.MultiHeadAttention(2, 4, attention_axes="time")
    mha = L.MultiHeadAttention(2, 4)
    with pytest.raises(ValueError, match="All dimensions of `value` and `key`"):
        mha(Q, V, key=data((2, 3, 3)))
    with pytest.raises(ValueError, match="same rank"):
        L.MultiHeadAttention(2, 4, name="mha")(Q, V[0])
    mha(Q, V)  # built for value/key of dim 3
    with pytest.raises(ValueError, match='layer "key".*expected axis -1 of input shape to have '
                                         "value 3"):
        mha(Q, V, key=data((2, 4, 5)))

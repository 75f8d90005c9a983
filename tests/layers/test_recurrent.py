"""SimpleRNN, LSTM, GRU, RNN(cell), Bidirectional: the pure protocol, shapes, masks, errors.
(Numerics against tf.keras live in tests/parity/test_rnn_attention_parity.py.)"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

B, T, D, U = 3, 5, 4, 6
RNNS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
IDS = ["simple_rnn", "lstm", "gru", "gru_reset_before"]


def seq(shape=(B, T, D), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def make(name, kw, **more):
    return getattr(L, name)(U, **kw, **more)


@pytest.mark.parametrize("name,kw", RNNS, ids=IDS)
@pytest.mark.parametrize("return_sequences,return_state", [(False, False), (True, True)])
def test_init_apply_shapes_and_jit(name, kw, return_sequences, return_state):
    layer = make(name, kw, return_sequences=return_sequences, return_state=return_state)
    v = layer.init(jax.random.PRNGKey(0), (None, T, D))
    x = seq()
    out, state = layer.apply(v, x)
    assert state == {}
    outs = out if return_state else (out,)
    assert outs[0].shape == ((B, T, U) if return_sequences else (B, U))
    n_states = 2 if name == "LSTM" else 1
    assert len(outs) == (1 + n_states if return_state else 1)
    for s in outs[1:]:
        assert s.shape == (B, U)
    jitted = jax.jit(lambda v, x: layer.apply(v, x)[0])(v, x)
    for a, b in zip(jax.tree_util.tree_leaves(jitted), jax.tree_util.tree_leaves(out)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kw", RNNS, ids=IDS)
def test_weight_names_order_shapes(name, kw):
    layer = make(name, kw)
    layer(seq())
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[name]
    bias = (2, 3 * U) if kw == {} and name == "GRU" else (gates * U,)
    cell = {"SimpleRNN": "simple_rnn_cell", "LSTM": "lstm_cell", "GRU": "gru_cell"}[name]
    assert [w.path for w in layer.weights] == [f"{cell}/kernel", f"{cell}/recurrent_kernel",
                                               f"{cell}/bias"]
    assert [w.shape for w in layer.weights] == [(D, gates * U), (U, gates * U), bias]
    v = layer.get_variables()
    assert set(v["params"]) == {cell} and v["state"] == {}
    assert layer.count_params() == sum(int(np.prod(w.shape)) for w in layer.weights)


def test_lstm_init_values():
    layer = L.LSTM(U)
    layer(seq())
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    # orthogonal recurrent kernel: rows orthonormal for (U, 4U)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(U), atol=1e-5)
    limit = np.sqrt(6 / (D + 4 * U))
    assert np.abs(kernel).max() <= limit
    no_forget = L.LSTM(U, unit_forget_bias=False)
    no_forget(seq())
    np.testing.assert_array_equal(no_forget.get_weights()[2], np.zeros(4 * U))


@pytest.mark.parametrize("name,kw", RNNS, ids=IDS)
def test_grad_is_finite_and_nonzero(name, kw):
    layer = make(name, kw, return_sequences=True)
    v = layer.init(jax.random.PRNGKey(1), (None, T, D))
    x = seq()
    mask = np.ones((B, T), bool)
    mask[0, 3:] = False

    def loss(params, x):
        y, _ = layer.apply({"params": params, "state": {}}, x, mask=mask)
        return jnp.sum(y ** 2)
    g, gx = jax.grad(loss, argnums=(0, 1))(v["params"], x)
    for leaf in jax.tree_util.tree_leaves((g, gx)):
        assert np.all(np.isfinite(leaf))
    assert all(np.abs(leaf).sum() > 0 for leaf in jax.tree_util.tree_leaves(g))


def test_go_backwards_equals_reversed_input():
    x = seq()
    fwd = L.LSTM(U, return_sequences=True)
    bwd = L.LSTM(U, return_sequences=True, go_backwards=True)
    fwd(x)
    bwd(x)
    bwd.set_weights(fwd.get_weights())
    np.testing.assert_allclose(bwd(x), fwd(x[:, ::-1]), rtol=1e-6, atol=1e-6)


def test_mask_carries_state_and_output():
    x = seq()
    layer = L.GRU(U, return_sequences=True, return_state=True)
    mask = np.ones((B, T), bool)
    mask[:, 2] = False          # a hole in the middle
    mask[1, :] = False          # a fully masked sample
    ys, h = layer(x, mask=mask)
    ys, h = np.asarray(ys), np.asarray(h)
    np.testing.assert_array_equal(ys[:, 2], ys[:, 1])   # masked step repeats the output
    np.testing.assert_array_equal(ys[1], np.zeros((T, U)))  # zeros before any real step
    np.testing.assert_array_equal(h[1], np.zeros(U))
    # skipping a step == dropping it from the sequence
    dropped = layer(np.delete(x, 2, axis=1))[1]
    np.testing.assert_allclose(h[[0, 2]], np.asarray(dropped)[[0, 2]], rtol=1e-5, atol=1e-6)


def test_initial_state_and_unroll():
    x = seq()
    layer = L.LSTM(U, unroll=True)
    h0, c0 = seq((B, U), 1), seq((B, U), 2)
    y0 = layer(x)
    y1 = layer(x, initial_state=[h0, c0])
    assert y0.shape == y1.shape and not np.allclose(y0, y1)
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(x, initial_state=[h0])
    with pytest.raises(ValueError, match=r"initial state must have shape"):
        layer(x, initial_state=[h0[:, :2], c0])


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_wrong_rank_is_a_clear_error(name):
    layer = getattr(L, name)(U)
    with pytest.raises(ValueError, match=r'layer "simple_rnn|layer "lstm|layer "gru'):
        layer(np.ones((B, D), np.float32))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer.init(jax.random.PRNGKey(0), (None, D))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        jkeras.Sequential([jkeras.Input(shape=(T, D, 1)), getattr(L, name)(U)])


def test_bad_arguments():
    with pytest.raises(ValueError, match="`units`"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="`units`"):
        L.GRU(2.5)
    with pytest.raises(ValueError, match="use_cudnn"):
        L.GRU(3, use_cudnn="yes")
    with pytest.raises(ValueError, match="batch size must be static"):
        L.SimpleRNN(3, stateful=True)(jkeras.Input((4, 2)))
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        L.LSTM(3, bogus=1)
    with pytest.raises(ValueError, match="cell"):
        L.RNN(object())


def test_dropout_in_training_only():
    x = seq()
    layer = L.LSTM(U, dropout=0.5, recurrent_dropout=0.3)
    v = layer.init(jax.random.PRNGKey(0), x)
    eval_out, _ = layer.apply(v, x)
    plain = L.LSTM(U)
    plain.init(jax.random.PRNGKey(0), x)
    np.testing.assert_allclose(eval_out, plain.apply(v, x)[0], rtol=1e-6)
    a, _ = layer.apply(v, x, training=True, rng=jax.random.PRNGKey(1))
    b, _ = layer.apply(v, x, training=True, rng=jax.random.PRNGKey(2))
    assert not np.allclose(a, eval_out) and not np.allclose(a, b)
    with pytest.raises(ValueError, match="random key"):
        layer.apply(v, x, training=True)
    gru = L.GRU(U, dropout=0.2, reset_after=False, recurrent_dropout=0.2, return_sequences=True)
    v = gru.init(jax.random.PRNGKey(0), x)
    y, _ = jax.jit(lambda v, x, k: gru.apply(v, x, training=True, rng=k))(
        v, x, jax.random.PRNGKey(3))
    assert y.shape == (B, T, U) and np.all(np.isfinite(y))


def test_generic_rnn_with_a_cell():
    x = seq()
    rnn = L.RNN(L.LSTMCell(U), return_sequences=True)
    lstm = L.LSTM(U, return_sequences=True)
    rnn(x)
    lstm(x)
    rnn.set_weights(lstm.get_weights())
    np.testing.assert_allclose(rnn(x), lstm(x), rtol=1e-6)
    cell = L.GRUCell(U)
    h, states = cell(x[:, 0], [np.zeros((B, U), np.float32)])
    assert h.shape == (B, U) and len(states) == 1


def test_attributes_delegate_to_the_cell():
    gru = L.GRU(7, activation="relu", reset_after=False, dropout=0.1)
    assert gru.units == 7 and gru.reset_after is False and gru.dropout == 0.1
    assert gru.activation is jkeras.activations.get("relu")
    assert L.LSTM(2).unit_forget_bias is True


def test_in_sequential_and_functional_with_variable_length():
    model = jkeras.Sequential([jkeras.Input(shape=(None, D)), L.GRU(U, return_sequences=True),
                               L.LSTM(3)])
    assert model.output_shape == (None, 3)
    assert model(seq((2, 7, D))).shape == (2, 3)
    inp = jkeras.Input(shape=(T, D))
    out, h, c = L.LSTM(U, return_state=True)(inp)
    model = jkeras.Model(inp, [out, h, c])
    ys = model(seq())
    np.testing.assert_allclose(ys[0], ys[1])
    assert [y.shape for y in ys] == [(B, U)] * 3


def test_initial_state_from_symbolic_tensors():
    inp, h0 = jkeras.Input(shape=(T, D)), jkeras.Input(shape=(U,))
    out = L.GRU(U)(inp, initial_state=[h0])
    model = jkeras.Model([inp, h0], out)
    assert model([seq(), np.zeros((B, U), np.float32)]).shape == (B, U)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_modes(merge_mode):
    x = seq()
    layer = L.Bidirectional(L.LSTM(U, return_sequences=True), merge_mode=merge_mode)
    v = layer.init(jax.random.PRNGKey(0), x)
    y, _ = layer.apply(v, x)
    if merge_mode is None:
        assert [a.shape for a in y] == [(B, T, U)] * 2
    else:
        assert y.shape == (B, T, 2 * U if merge_mode == "concat" else U)
    assert set(v["params"]) == {"forward_lstm", "backward_lstm"}
    assert set(v["params"]["forward_lstm"]) == {"lstm_cell"}
    yj = jax.jit(lambda v, x: layer.apply(v, x)[0])(v, x)
    for a, b in zip(jax.tree_util.tree_leaves(yj), jax.tree_util.tree_leaves(y)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bidirectional_weights_state_and_errors():
    x = seq()
    layer = L.Bidirectional(L.GRU(U, return_state=True))
    out, hf, hb = layer(x)
    assert out.shape == (B, 2 * U) and hf.shape == hb.shape == (B, U)
    assert len(layer.weights) == 6
    assert layer.forward_layer.name == "forward_gru" and layer.backward_layer.name == "backward_gru"
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        L.Bidirectional(L.Dense(3))
    with pytest.raises(ValueError, match="different `go_backwards`"):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3))
    with pytest.raises(ValueError, match='attribute "return_sequences"'):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3, go_backwards=True,
                                                          return_sequences=True))
    with pytest.raises(ValueError, match="expected ndim=3"):
        L.Bidirectional(L.LSTM(3))(np.ones((2, 3), np.float32))
    custom = L.Bidirectional(L.LSTM(3), backward_layer=L.GRU(3, go_backwards=True, name="back"))
    custom(x)
    assert custom.backward_layer.name == "back" and len(custom.weights) == 6


def test_bidirectional_masks_flow_in_a_model():
    model = jkeras.Sequential([jkeras.Input(shape=(None,)), L.Embedding(10, D, mask_zero=True),
                               L.Bidirectional(L.LSTM(U, return_sequences=True)), L.GRU(2)])
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]], np.float32)
    y = model(ids)
    # padded steps change nothing: same output as the unpadded sequences
    np.testing.assert_allclose(y[:1], model(np.array([[1, 2, 3]], np.float32)), rtol=1e-5)
    np.testing.assert_allclose(y[1:], model(np.array([[4, 5]], np.float32)), rtol=1e-5)


def test_bidirectional_of_a_built_layer_copies_it_built_as_keras(tf):
    x = np.zeros((2, 5, 3), "float32")
    ours, theirs = L.GRU(2, return_sequences=True), tf.keras.layers.GRU(2, return_sequences=True)
    ours(x), theirs(x)
    ours_bi, theirs_bi = L.Bidirectional(ours), tf.keras.layers.Bidirectional(theirs)
    assert ours_bi.forward_layer.built and ours_bi.backward_layer.built
    assert theirs_bi.forward_layer.built and theirs_bi.backward_layer.built
    assert (ours_bi.get_config()["layer"]["build_config"]
            == theirs_bi.get_config()["layer"]["build_config"] == {"input_shape": (2, 5, 3)})

"""Parity with tf.keras on copied weights: SimpleRNN / LSTM / GRU in every return / direction /
mask variant, Bidirectional, MultiHeadAttention, Embedding(mask_zero) into LSTM in Sequential and
functional models, the extra merges; gradients (tf.GradientTape) for LSTM, GRU and MHA."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

RTOL, ATOL = 1e-5, 1e-6
B, T, D, U = 3, 6, 4, 5
RNNS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
IDS = ["simple_rnn", "lstm", "gru", "gru_reset_before"]


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def holey_mask():
    mask = np.ones((B, T), bool)
    mask[0, 4:] = False    # right padding
    mask[1, [0, 2]] = False  # holes, including the first step
    mask[2, :] = False     # a fully masked sample
    return mask


def close(ours, theirs):
    ours = ours if isinstance(ours, (list, tuple)) else [ours]
    theirs = theirs if isinstance(theirs, (list, tuple)) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=RTOL, atol=ATOL)


def at(tree, path):
    for part in path:
        tree = tree[part]
    return tree


def check_weights(ours, theirs):
    """Same names, shapes and order; our variables nest as Keras's weight paths."""
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    params = ours.get_variables()["params"]
    for w in theirs.weights:
        assert at(params, w.path.split("/")[1:]).shape == tuple(w.shape), w.path
    ours.set_weights(theirs.get_weights())


def grads_both(ours, theirs, inputs, call_kwargs=None, seed=7):
    """Gradients of sum(outputs * R) w.r.t. every weight (Keras order) and every input."""
    import tensorflow as tf
    call_kwargs = call_kwargs or {}
    out_t = theirs(*inputs, **call_kwargs)
    flat = [o for o in (out_t if isinstance(out_t, (list, tuple)) else [out_t])]
    rs = [data(tuple(o.shape), seed + i) for i, o in enumerate(flat)]
    xs = [tf.constant(x) for x in inputs]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        out_t = theirs(*xs, **call_kwargs)
        out_t = out_t if isinstance(out_t, (list, tuple)) else [out_t]
        loss_t = sum(tf.reduce_sum(o * r) for o, r in zip(out_t, rs))
    g_t = tape.gradient(loss_t, list(theirs.trainable_weights) + xs)

    variables = ours.get_variables()

    def loss(params, *xs):
        out, _ = ours.apply({"params": params, "state": {}}, *xs, **call_kwargs)
        out = out if isinstance(out, (list, tuple)) else [out]
        return sum(jnp.sum(o * r) for o, r in zip(out, rs))
    g_p, *g_x = jax.grad(loss, argnums=tuple(range(1 + len(inputs))))(variables["params"],
                                                                       *inputs)
    g_o = [at(g_p, w.path.split("/")[1:]) for w in theirs.trainable_weights] + list(g_x)
    close(g_o, [g.numpy() for g in g_t])
    close(loss(variables["params"], *inputs), loss_t.numpy())


@pytest.mark.parametrize("name,kw", RNNS, ids=IDS)
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_rnn_forward_every_variant(tf, name, kw, masked):
    x = data((B, T, D))
    mask = holey_mask() if masked else None
    weights = None
    for return_sequences in (False, True):
        for return_state in (False, True):
            for go_backwards in (False, True):
                args = dict(kw, return_sequences=return_sequences, return_state=return_state,
                            go_backwards=go_backwards)
                theirs = getattr(tf.keras.layers, name)(U, **args)
                ours = getattr(L, name)(U, **args)
                theirs(x, mask=mask)
                ours(x)
                if weights is None:
                    check_weights(ours, theirs)
                    weights = theirs.get_weights()
                theirs.set_weights(weights)
                ours.set_weights(weights)
                close(ours(x, mask=mask), theirs(x, mask=mask))


@pytest.mark.parametrize("name,kw", [("SimpleRNN", {"activation": "relu", "use_bias": False}),
                                     ("LSTM", {"use_bias": False, "activation": "relu",
                                               "recurrent_activation": "hard_sigmoid"}),
                                     ("GRU", {"use_bias": False}),
                                     ("GRU", {"use_bias": False, "reset_after": False}),
                                     ("LSTM", {"unit_forget_bias": False,
                                               "bias_initializer": "ones"})])
def test_rnn_forward_options(tf, name, kw):
    x = data((B, T, D))
    theirs, ours = getattr(tf.keras.layers, name)(U, **kw), getattr(L, name)(U, **kw)
    theirs(x)
    ours(x)
    if "bias_initializer" in kw:
        close(ours.get_weights()[2], theirs.get_weights()[2])
    check_weights(ours, theirs)
    close(ours(x), theirs(x))


@pytest.mark.parametrize("name,kw", RNNS, ids=IDS)
def test_rnn_initial_state(tf, name, kw):
    x = data((B, T, D))
    n = 2 if name == "LSTM" else 1
    states = [data((B, U), 10 + i) for i in range(n)]
    theirs = getattr(tf.keras.layers, name)(U, return_sequences=True, return_state=True, **kw)
    ours = getattr(L, name)(U, return_sequences=True, return_state=True, **kw)
    theirs(x)
    ours(x)
    check_weights(ours, theirs)
    close(ours(x, initial_state=states, mask=holey_mask()),
          theirs(x, initial_state=states, mask=holey_mask()))


@pytest.mark.parametrize("name,kw", RNNS[1:], ids=IDS[1:])
@pytest.mark.parametrize("variant", ["last", "sequences_backwards_mask"])
def test_rnn_gradients(tf, name, kw, variant):
    x = data((B, T, D))
    if variant == "last":
        args, call = dict(kw, return_state=True), {}
    else:
        args = dict(kw, return_sequences=True, go_backwards=True)
        call = {"mask": holey_mask()}
    theirs, ours = getattr(tf.keras.layers, name)(U, **args), getattr(L, name)(U, **args)
    theirs(x)
    ours(x)
    check_weights(ours, theirs)
    grads_both(ours, theirs, [x], call)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional(tf, merge_mode):
    x = data((B, T, D))
    for rnn, kw in [("LSTM", {"return_sequences": True}),
                    ("GRU", {"return_state": True}),
                    ("SimpleRNN", {"return_sequences": True, "return_state": True})]:
        theirs = tf.keras.layers.Bidirectional(getattr(tf.keras.layers, rnn)(U, **kw),
                                               merge_mode=merge_mode)
        ours = L.Bidirectional(getattr(L, rnn)(U, **kw), merge_mode=merge_mode)
        theirs(x)
        ours(x)
        assert ours.name == theirs.name
        check_weights(ours, theirs)
        for mask in (None, holey_mask()):
            expected = theirs(x, mask=mask)
            got = ours(x, mask=mask)
            flat = jax.tree_util.tree_leaves(got)
            close(flat, [t.numpy() for t in tf.nest.flatten(expected)])


def test_bidirectional_gradients(tf):
    x = data((B, T, D))
    theirs = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(U, return_sequences=True))
    ours = L.Bidirectional(L.GRU(U, return_sequences=True))
    theirs(x)
    ours(x)
    check_weights(ours, theirs)
    grads_both(ours, theirs, [x], {"mask": holey_mask()})


def _ids():
    return np.array([[4, 2, 7, 0, 0, 0], [1, 0, 3, 3, 0, 8], [9, 9, 9, 9, 9, 9],
                     [0, 0, 0, 0, 0, 0]], np.int32)


def test_embedding(tf):
    ids = _ids()
    theirs, ours = tf.keras.layers.Embedding(10, 3), L.Embedding(10, 3)
    theirs(ids)
    ours(ids)
    check_weights(ours, theirs)
    close(ours(ids), theirs(ids))
    close(ours(ids.astype(np.float32)), theirs(ids.astype(np.float32)))
    masked = tf.keras.layers.Embedding(10, 3, mask_zero=True)
    np.testing.assert_array_equal(L.Embedding(10, 3, mask_zero=True).compute_mask(ids, None),
                                  masked.compute_mask(ids).numpy())


def _embedding_lstm(k, functional):
    layers = k.layers
    if not functional:
        return k.Sequential([layers.Input(shape=(T,), dtype="int32"),
                             layers.Embedding(10, D, mask_zero=True),
                             layers.LSTM(U, return_sequences=True), layers.LSTM(U),
                             layers.Dense(2)])
    inp = layers.Input(shape=(T,), dtype="int32")
    e = layers.Embedding(10, D, mask_zero=True)(inp)
    seq, h, c = layers.LSTM(U, return_sequences=True, return_state=True)(e)
    back = layers.LSTM(U, go_backwards=True)(seq)
    both = layers.Bidirectional(layers.GRU(3, return_sequences=True))(seq)
    return k.Model(inp, [layers.Dense(2)(back), h, c, layers.GRU(2)(both)])


@pytest.mark.parametrize("functional", [False, True], ids=["sequential", "functional"])
def test_embedding_mask_into_lstm_models(tf, functional):
    ids = _ids()
    theirs = _embedding_lstm(tf.keras, functional)
    ours = _embedding_lstm(jkeras, functional)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    close(list(jax.tree_util.tree_leaves(ours(ids))), [t.numpy() for t in tf.nest.flatten(
        theirs(ids))])
    close(list(jax.tree_util.tree_leaves(ours.predict(ids, verbose=0))),
          tf.nest.flatten(theirs.predict(ids, verbose=0)))


MHA_CASES = [
    ({}, {}),
    ({"value_dim": 3, "output_shape": 7}, {}),
    ({"use_bias": False}, {"use_causal_mask": True}),
    ({}, {"attention_mask": "random"}),
    ({"key_dim": 2}, {"key": "separate", "attention_mask": "random", "use_causal_mask": True}),
]


def _mha_inputs(call):
    q, v = data((2, 5, 6), 1), data((2, 5, 3), 2)
    call = dict(call)
    if call.get("attention_mask") == "random":
        call["attention_mask"] = np.random.default_rng(3).random((2, 5, 5)) > 0.3
    if call.get("key") == "separate":
        call["key"] = data((2, 5, 4), 4)
    return q, v, call


@pytest.mark.parametrize("ctor,call", MHA_CASES)
def test_mha_forward_and_scores(tf, ctor, call):
    q, v, call = _mha_inputs(call)
    ctor = {"num_heads": 2, "key_dim": 4, **ctor}
    theirs, ours = tf.keras.layers.MultiHeadAttention(**ctor), L.MultiHeadAttention(**ctor)
    theirs(q, v, **call)
    ours(q, v, **call)
    check_weights(ours, theirs)
    close(ours(q, v, **call), theirs(q, v, **call))
    close(ours(q, v, return_attention_scores=True, **call),
          theirs(q, v, return_attention_scores=True, **call))


@pytest.mark.parametrize("ctor,call", [MHA_CASES[1], MHA_CASES[4]])
def test_mha_gradients(tf, ctor, call):
    q, v, call = _mha_inputs(call)
    ctor = {"num_heads": 2, "key_dim": 4, **ctor}
    theirs, ours = tf.keras.layers.MultiHeadAttention(**ctor), L.MultiHeadAttention(**ctor)
    theirs(q, v, **call)
    ours(q, v, **call)
    check_weights(ours, theirs)
    grads_both(ours, theirs, [q, v], call)


@pytest.mark.parametrize("axes", [(2,), (1, 2)])
def test_mha_attention_axes(tf, axes):
    x = data((2, 3, 4, 5))
    theirs = tf.keras.layers.MultiHeadAttention(2, 3, attention_axes=axes)
    ours = L.MultiHeadAttention(2, 3, attention_axes=axes)
    theirs(x, x)
    ours(x, x)
    check_weights(ours, theirs)
    close(ours(x, x, return_attention_scores=True), theirs(x, x, return_attention_scores=True))


def _mha_model(k):
    inp = k.layers.Input(shape=(T,), dtype="int32")
    e = k.layers.Embedding(10, D, mask_zero=True)(inp)
    a = k.layers.MultiHeadAttention(2, 3)(e, e)
    return k.Model(inp, k.layers.LSTM(U)(a))


def test_mha_with_padding_mask_in_a_model(tf):
    ids = _ids()[:3]
    theirs, ours = _mha_model(tf.keras), _mha_model(jkeras)
    ours.set_weights(theirs.get_weights())
    close(ours(ids), theirs(ids))


def test_merges(tf):
    a, b, c = data((4, 3), 1), data((4, 3), 2), data((4, 3), 3)
    for name in ("Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        inputs = [a, b] if name == "Subtract" else [a, b, c]
        close(getattr(L, name)()(inputs), getattr(tf.keras.layers, name)()(inputs))
    x, y = data((4, 5, 3), 4), data((4, 6, 3), 5)
    for axes, pair in [(1, (a, b)), (-1, (a, b)), ((2, 2), (x, y)), ((1, 1), (x, x)),
                       (2, (x, y)), ((2, 1), (x, np.transpose(y, (0, 2, 1))))]:
        for normalize in (False, True):
            close(L.Dot(axes, normalize=normalize)(list(pair)),
                  tf.keras.layers.Dot(axes, normalize=normalize)(list(pair)))

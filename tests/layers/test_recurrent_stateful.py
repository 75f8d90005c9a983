"""`stateful=True` recurrent layers against tf.keras on copied weights: states carried from batch
to batch in eager calls and in `fit`, `reset_states`, `states`, what is (not) saved, errors."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

B, T, D, U = 2, 4, 3, 5


def batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(B, T, D)).astype(np.float32) for _ in range(n)]


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_eager_batches_and_reset_match_tf_keras(tf, name):
    ours = getattr(L, name)(U, stateful=True, return_sequences=True)
    theirs = getattr(tf.keras.layers, name)(U, stateful=True, return_sequences=True)
    xs = batches(3)
    ours(xs[0])
    theirs(xs[0])
    theirs.reset_states()
    ours.reset_states()
    ours.set_weights([w.numpy() for w in theirs.weights])
    assert [v.shape for v in ours.states] == [tuple(v.shape) for v in theirs.states]
    for x in xs:  # each call starts from the previous call's final states
        close(ours(x), theirs(x))
        for a, b in zip(ours.states, theirs.states):
            close(a.numpy(), b.numpy())
    first = np.asarray(ours(xs[0]))
    ours.reset_states()
    theirs.reset_states()
    assert all(not np.any(v.numpy()) for v in ours.states)
    again = ours(xs[0])
    close(again, theirs(xs[0]))
    assert not np.allclose(first, again)  # the states did change the output


def test_states_are_not_weights_nor_saved(tmp_path):
    inp = jkeras.Input(batch_shape=(B, T, D))
    lstm = L.LSTM(U, stateful=True)
    model = jkeras.Model(inp, L.Dense(1)(lstm(inp)))
    assert [v.path for v in lstm.states] == ["lstm/rnn_state", "lstm/rnn_state"]
    assert len(model.weights) == 5 and model.non_trainable_weights == []
    assert lstm.get_config()["stateful"] is True
    model(batches(1)[0])
    assert np.any(lstm.states[0].numpy())
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    lstm.reset_states()
    model.load_weights(path)  # Keras 3 writes no states: they stay as they are
    assert not np.any(lstm.states[0].numpy())
    clone = jkeras.Model.from_config(model.get_config())
    assert clone.layers[1].stateful and clone.layers[1].states is not None


def test_pure_apply_returns_new_states():
    layer = L.GRU(U, stateful=True)
    x0, x1 = batches(2)
    v = layer.init(jax.random.PRNGKey(0), x0)
    assert set(v["state"]) == {"rnn_state"} and not np.any(v["state"]["rnn_state"])
    step = jax.jit(lambda v, x: layer.apply(v, x))
    y0, s0 = step(v, x0)
    close(s0["rnn_state"], y0)  # a GRU's state is its output
    y1, _ = step({"params": v["params"], "state": s0}, x1)
    plain = L.GRU(U)
    close(plain.apply({"params": v["params"], "state": {}}, x1, initial_state=[y0])[0], y1)


def test_fit_carries_states_like_tf_keras(tf):
    xs = np.concatenate(batches(4))
    ys = np.random.default_rng(1).normal(size=(4 * B, 1)).astype(np.float32)

    def build(lib):
        inp = lib.Input(batch_shape=(B, T, D))
        h = lib.layers.LSTM(U, stateful=True, return_sequences=True)(inp)
        h = lib.layers.GRU(U, stateful=True)(h)
        return lib.Model(inp, lib.layers.Dense(1)(h))
    theirs, ours = build(tf.keras), build(jkeras)
    ours.set_weights([w.numpy() for w in theirs.weights])
    for m, lib in ((theirs, tf.keras), (ours, jkeras)):
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
    h_theirs = theirs.fit(xs, ys, batch_size=B, epochs=3, shuffle=False, verbose=0)
    h_ours = ours.fit(xs, ys, batch_size=B, epochs=3, shuffle=False, verbose=0)
    close(h_ours.history["loss"], h_theirs.history["loss"], 1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        close(a.numpy(), b.numpy(), 1e-4)
    for i in (1, 2):
        for a, b in zip(ours.layers[i].states, theirs.layers[i].states):
            assert np.any(b.numpy())
            close(a.numpy(), b.numpy(), 1e-4)


def test_bidirectional_stateful(tf):
    ours = L.Bidirectional(L.LSTM(U, stateful=True))
    theirs = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(U, stateful=True))
    xs = batches(2)
    ours(xs[0])
    theirs(xs[0])
    ours.set_weights([w.numpy() for w in theirs.weights])
    ours.reset_states()
    theirs.reset_states()
    assert ours.stateful and len(ours.states) == 4
    for x in xs:
        close(ours(x), theirs(x))
    with pytest.raises(AttributeError, match="Layer must be stateful"):
        L.Bidirectional(L.LSTM(U)).reset_states()


def test_errors():
    layer = L.LSTM(U, stateful=True)
    with pytest.raises(ValueError, match=r"batch size must be static\. Found dynamic batch "
                                         r"size: sequence.shape=\(None, 4, 3\)"):
        layer(jkeras.Input((T, D)))
    layer(batches(1)[0])
    with pytest.raises(ValueError, match="- Expected batch size: 2\n- Received batch size: 3"):
        layer(np.zeros((3, T, D), np.float32))
    assert L.LSTM(U).states is None
    seq = jkeras.Sequential([jkeras.Input(batch_shape=(B, T, D)),
                             L.SimpleRNN(U, stateful=True)])
    assert seq.layers[0].states[0].shape == (B, U)


def test_predict_and_evaluate_carry_states_like_tf_keras(tf):
    xs = np.concatenate(batches(3, seed=2))
    ys = np.random.default_rng(3).normal(size=(3 * B, 1)).astype(np.float32)

    def build(lib):
        inp = lib.Input(batch_shape=(B, T, D))
        return lib.Model(inp, lib.layers.Dense(1)(lib.layers.LSTM(U, stateful=True)(inp)))
    theirs, ours = build(tf.keras), build(jkeras)
    ours.set_weights([w.numpy() for w in theirs.weights])
    for m in (theirs, ours):
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    close(ours.predict(xs, batch_size=B, verbose=0), theirs.predict(xs, batch_size=B, verbose=0))
    for a, b in zip(ours.layers[1].states, theirs.layers[1].states):
        close(a.numpy(), b.numpy())  # kept after predict
    close(ours.evaluate(xs, ys, batch_size=B, verbose=0),
          theirs.evaluate(xs, ys, batch_size=B, verbose=0))
    for a, b in zip(ours.layers[1].states, theirs.layers[1].states):
        close(a.numpy(), b.numpy())
    for x, y in zip(np.split(xs, 3), np.split(ys, 3)):  # the single-batch API carries them too
        close(ours.predict_on_batch(x), theirs.predict_on_batch(x))
        close(ours.test_on_batch(x, y), theirs.test_on_batch(x, y))
    with pytest.raises(ValueError, match="without `callbacks`"):
        ours.predict(xs, batch_size=B, verbose=0, callbacks=[jkeras.callbacks.Callback()])


def test_conv_lstm1d_stateful_matches_tf_keras(tf):
    ours = L.ConvLSTM1D(2, 3, padding="same", stateful=True)
    theirs = tf.keras.layers.ConvLSTM1D(2, 3, padding="same", stateful=True)
    rng = np.random.default_rng(4)
    xs = [rng.normal(size=(B, 2, 5, 1)).astype(np.float32) for _ in range(2)]
    ours(xs[0])
    theirs(xs[0])
    ours.set_weights([w.numpy() for w in theirs.weights])
    ours.reset_states()
    theirs.reset_states()
    assert [v.shape for v in ours.states] == [(B, 5, 2), (B, 5, 2)]
    for x in xs:
        close(ours(x), theirs(x))
    assert ours.get_config()["stateful"] is True

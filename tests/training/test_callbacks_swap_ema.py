"""SwapEMAWeights against tf.keras: with `use_ema=True` the model is evaluated / predicts /
ends fit with the optimizer's moving averages of the weights, as tf.keras's callback does."""
import numpy as np
import pytest

import jkeras


def _build(k, lr=0.05):
    L = k.layers
    model = k.Sequential([k.Input((4,)), L.Dense(5, activation="tanh"), L.Dense(2)])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype(np.float32), rng.normal(size=(32, 2)).astype(np.float32)


def _pair(tf, **opt):
    theirs, ours = _build(tf.keras), _build(jkeras)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    theirs.compile(optimizer=tf.keras.optimizers.Adam(0.05, use_ema=True, **opt), loss="mse")
    ours.compile(optimizer=jkeras.optimizers.Adam(0.05, use_ema=True, **opt), loss="mse")
    return theirs, ours


def test_swap_on_epoch_ends_fit_with_ema_weights_as_tf_keras(tf):
    x, y = _data()
    theirs, ours = _pair(tf, ema_momentum=0.9)
    seen = {}
    for model, lib, key in ((theirs, tf.keras, "tf"), (ours, jkeras, "jk")):
        # A callback after the swap sees the EMA weights at each epoch end.
        probe = lib.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, m=model, k=key: seen.setdefault(k, []).append(
                [np.asarray(w) for w in m.get_weights()]))
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[lib.callbacks.SwapEMAWeights(swap_on_epoch=True), probe])
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
    for epoch_ours, epoch_theirs in zip(seen["jk"], seen["tf"]):
        for a, b in zip(epoch_ours, epoch_theirs):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # The averages really differ from the trained weights here.
    opt_state = ours.optimizer._last_state
    assert not np.allclose(seen["jk"][0][0], seen["jk"][1][0])
    assert "average" in opt_state.slots


def test_predict_uses_ema_weights_then_restores_them(tf):
    x, y = _data()
    theirs, ours = _pair(tf, ema_momentum=0.8)
    theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    trained = [np.asarray(w) for w in ours.get_weights()]
    # tf.keras's fit already finalized its weights to the averages; predicting with the
    # callback gives the same outputs in both libraries.
    p_theirs = theirs.predict(x, verbose=0, callbacks=[tf.keras.callbacks.SwapEMAWeights()])
    p_ours = ours.predict(x, verbose=0, callbacks=[jkeras.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(p_ours, p_theirs, rtol=1e-5, atol=1e-6)
    # fit ended on the averages in both libraries (finalize_variable_values), so swapping in
    # the averages changes nothing now
    np.testing.assert_allclose(p_ours, ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), p_theirs, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), trained):
        np.testing.assert_array_equal(a, b)


def test_swap_with_apply_gradients_state():
    layer = jkeras.layers.Dense(2)
    model = jkeras.Sequential([jkeras.Input((3,)), layer])
    opt = jkeras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    model.optimizer = opt
    for step in range(3):
        grads = [np.full(v.shape, step + 1.0, np.float32) for v in model.trainable_weights]
        opt.apply_gradients(zip(grads, model.trainable_weights))
    cb = jkeras.callbacks.SwapEMAWeights()
    cb.set_model(model)
    before = [np.asarray(w) for w in model.get_weights()]
    cb.on_test_begin()
    averages = opt._imp_state.slots["average"]
    for w, avg in zip(model.trainable_weights, averages):
        np.testing.assert_array_equal(np.asarray(w.numpy()), np.asarray(avg))
    cb.on_test_end()
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_needs_use_ema():
    model = _build(jkeras)
    model.compile(optimizer="adam", loss="mse")
    model.fit(*_data(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`use_ema=True` is set on the optimizer"):
        model.predict(_data()[0], verbose=0, callbacks=[jkeras.callbacks.SwapEMAWeights()])

"""SwapEMAWeights inside fit: the validation of each epoch runs on the moving averages (Keras's
fit calls the callbacks' on_test_begin / on_test_end around it), so `val_loss` matches
tf.keras's and differs from the loss of the trained weights."""
import numpy as np
import pytest

import jkeras


def _run(k, weights, x, y, swap_on_epoch):
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, activation="tanh"), k.layers.Dense(1)])
    model.set_weights(weights)
    model.compile(optimizer=k.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.8), loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                        validation_data=(x[:8], y[:8]),
                        callbacks=[k.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    return model, history


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_validation_uses_the_averages_as_tf_keras(tf, swap_on_epoch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    weights = [rng.normal(size=s).astype(np.float32) * 0.5 for s in [(3, 4), (4,), (4, 1), (1,)]]
    ours, h_ours = _run(jkeras, weights, x, y, swap_on_epoch)
    theirs, h_theirs = _run(tf.keras, weights, x, y, swap_on_epoch)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(h_ours.history[key], h_theirs.history[key], rtol=1e-5,
                                   err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)

"""fit with the optimizers' base options equals tf.keras: `use_ema` (weights become their
averages when fit ends) and `loss_scale_factor` (gradients of the scaled loss)."""
import numpy as np
import pytest

import jkeras


def model(lib):
    return lib.Sequential([lib.Input((4,)), lib.layers.Dense(6, activation="tanh"),
                           lib.layers.Dense(1)])


@pytest.mark.parametrize("name,kwargs", [
    ("Adam", dict(learning_rate=0.01, use_ema=True, ema_momentum=0.9)),
    ("SGD", dict(learning_rate=0.05, loss_scale_factor=8.0)),
    ("Adam", dict(learning_rate=0.01, use_ema=True, ema_overwrite_frequency=3)),
])
def test_fit_with_optimizer_options_matches_tf(tf, name, kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ rng.normal(size=(4, 1))).astype(np.float32)
    ours, theirs = model(jkeras), model(tf.keras)
    ours.set_weights(theirs.get_weights())
    logs = []
    for lib, m in ((jkeras, ours), (tf.keras, theirs)):
        m.compile(optimizer=getattr(lib.optimizers, name)(**kwargs), loss="mse")
        logs.append(m.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0).history)
    np.testing.assert_allclose(logs[0]["loss"], logs[1]["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)

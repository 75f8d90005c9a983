"""`fit` with the newer optimizers follows tf.keras: same model, copied weights,
shuffle=False, 3 epochs of 8 batches; weights, logged losses and optimizer variables
compared. Nadam (with its u_product scalar), Lion (sign updates: a flipped sign would
show at once) and gradient accumulation / weight decay through fit."""

import numpy as np
import pytest

import jkeras

CASES = {
    "nadam": lambda k: k.optimizers.Nadam(0.01),
    "lion": lambda k: k.optimizers.Lion(0.001),
    "nadam_accumulate_wd": lambda k: k.optimizers.Nadam(0.01, gradient_accumulation_steps=2,
                                                        weight_decay=0.01),
    "lion_clip": lambda k: k.optimizers.Lion(0.002, beta_1=0.8, global_clipnorm=1.0),
    "adamax": lambda k: k.optimizers.Adamax(0.01),
    "lamb": lambda k: k.optimizers.Lamb(0.01),
}


def build(k):
    L = k.layers
    return k.Sequential([k.Input((6,)), L.Dense(8, activation="relu"), L.Dense(3)])


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_matches_tf_keras(case, tf):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = rng.normal(size=(64, 3)).astype(np.float32)
    theirs, ours = build(tf.keras), build(jkeras)
    initial = [np.asarray(w) for w in theirs.get_weights()]
    ours.set_weights(initial)
    theirs.compile(optimizer=CASES[case](tf.keras), loss="mse")
    ours.compile(optimizer=CASES[case](jkeras), loss="mse")
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    h_ours = ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)
    assert int(ours.optimizer.iterations) == int(theirs.optimizer.iterations)
    assert not np.allclose(ours.get_weights()[0], initial[0], atol=1e-3)  # it trained

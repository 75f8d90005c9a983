"""Ensemble: compile-once, callbacks, compile(), the weights API and the caller's RNG (the
solo-run equalities are in test_ensemble_parity.py)."""
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.training import step as step_lib

def mlp():
    m = jkeras.Sequential([jkeras.Input((6,)), layers.Dense(12, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


@pytest.fixture(scope="module")
def data():
    rs = np.random.RandomState(0)
    x = rs.randn(96, 6).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def test_compiles_once_for_every_later_fit(data, capsys):
    x, y = data
    ens = jkeras.Ensemble(mlp, n=4)
    ens.fit(x, y, batch_size=30, epochs=1, verbose=0)
    traced = step_lib.TRACE_COUNTS["train_step"]
    ens.fit(x, y, batch_size=30, epochs=3, verbose=0)
    capsys.readouterr()
    hist = ens.fit(x, y, batch_size=30, epochs=2, verbose=1).history
    assert step_lib.TRACE_COUNTS["train_step"] == traced
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split(" (")[0] for ln in lines] == ["Epoch 1/2", "Epoch 2/2"]
    last = hist["loss"][-1]
    assert f"loss: {np.mean(last):.4f} (min {np.min(last):.4f}, max {np.max(last):.4f})" in lines[1]


def test_callbacks_see_per_member_logs_and_can_stop(data):
    x, y = data
    seen = []

    def on_epoch_end(epoch, logs):
        seen.append((epoch, np.asarray(logs["loss"]).shape))
        if epoch == 1:
            ens.stop_training = True

    ens = jkeras.Ensemble(mlp, n=2)
    cb = jkeras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)
    hist = ens.fit(x, y, batch_size=32, epochs=5, verbose=0, callbacks=[cb])
    assert seen == [(0, (2,)), (1, (2,))]
    assert len(hist.history["loss"]) == 2


def test_ensemble_compile_gives_each_member_its_own_optimizer(data):
    x, y = data

    def uncompiled():
        return jkeras.Sequential([jkeras.Input((6,)), layers.Dense(3, activation="softmax")])

    ens = jkeras.Ensemble(uncompiled, n=2)
    with pytest.raises(ValueError, match="not compiled"):
        ens.fit(x, y, verbose=0)
    ens.compile(optimizer=jkeras.optimizers.RMSprop(0.01),
                loss="sparse_categorical_crossentropy")
    assert ens.member(0).optimizer is not ens.member(1).optimizer
    ens.fit(x, y, batch_size=48, epochs=2, verbose=0)
    for i in range(2):  # 2 epochs of 2 steps, on each member's own optimizer
        assert int(ens.member(i).optimizer.iterations) == 4


def test_weights_roundtrip_and_caller_rng_untouched():
    jkeras.utils.set_random_seed(123)
    from jkeras.core import random as core_random
    expected = np.asarray(core_random.next_key())
    jkeras.utils.set_random_seed(123)
    ens = jkeras.Ensemble(mlp, n=3)
    np.testing.assert_array_equal(np.asarray(core_random.next_key()), expected)
    stacked = ens.get_weights()
    assert [w.shape for w in stacked] == [(3, 6, 12), (3, 12), (3, 12, 3), (3, 3)]
    ens.set_weights([w * 2 for w in stacked])
    np.testing.assert_allclose(ens.member(2).get_weights()[0], stacked[0][2] * 2)
    assert ens.get_variables()["params"][ens.member(0).layers[0].name]["kernel"].shape == (
        3, 6, 12)
    assert len(ens) == 3 and len(ens.members) == 3


def test_member_edits_and_learning_rates_reach_the_next_call(data):
    x, y = data
    ens = jkeras.Ensemble(mlp, n=2)
    ens.fit(x, y, batch_size=32, epochs=1, verbose=0)
    before = ens.evaluate(x, y, batch_size=32, return_dict=True)["loss"]
    edited = ens.member(1)
    edited.set_weights([np.zeros_like(w) for w in edited.get_weights()])
    after = ens.evaluate(x, y, batch_size=32, return_dict=True)["loss"]
    np.testing.assert_allclose(after[0], before[0], rtol=1e-6)
    np.testing.assert_allclose(after[1], np.log(3.0), rtol=1e-5)  # uniform softmax
    # A learning rate set on one member's optimizer is synced in, as its solo fit would.
    ens.member(0).optimizer.learning_rate = 0.0
    frozen = ens.member(0).get_weights()
    ens.fit(x, y, batch_size=32, epochs=1, verbose=0)
    for a, b in zip(ens.member(0).get_weights(), frozen):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(ens.member(1).get_weights()[0], 0.0)


def test_array_valued_metric_per_member():
    """F1Score(average=None): History and evaluate hold one array per member, as each member's
    own fit would (members x classes)."""
    rng = np.random.default_rng(0)
    x = rng.random((64, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]

    def model_fn():
        m = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(3, activation="softmax")])
        m.compile("adam", "categorical_crossentropy",
                  metrics=[jkeras.metrics.F1Score(average=None)])
        return m

    ens = jkeras.Ensemble(model_fn, n=2)
    history = ens.fit(x, y, epochs=2, verbose=0).history
    assert sorted(history) == ["f1_score", "loss"]
    assert np.shape(history["f1_score"]) == (2, 2, 3)
    logs = ens.evaluate(x, y, verbose=0, return_dict=True)
    assert np.shape(logs["f1_score"]) == (2, 3)
    for i, member in enumerate(ens.members):
        own = member.evaluate(x, y, verbose=0, return_dict=True)
        np.testing.assert_allclose(logs["f1_score"][i], own["f1_score"], rtol=1e-5, atol=1e-6)

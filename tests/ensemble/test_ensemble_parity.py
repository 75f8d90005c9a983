"""Ensemble: member i after fit / evaluate / predict equals `set_random_seed(i); model_fn()` run
alone (weights, history, metrics, BatchNorm statistics, dropout keys, shuffling order)."""
import numpy as np
import pytest

import jkeras
from jkeras import layers

TOL = dict(rtol=1e-5, atol=1e-5)


def mlp():
    m = jkeras.Sequential([jkeras.Input((6,)), layers.Dense(12, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def dropout_bn():
    m = jkeras.Sequential([jkeras.Input((6,)), layers.Dense(16, activation="relu"),
                           layers.Dropout(0.4), layers.BatchNormalization(),
                           layers.Dense(3, activation="softmax")])
    m.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def lazy_regressor():
    # No Input: built on the first batch inside fit, drawing its init keys there; the first
    # layer is frozen (the optimizer must leave it alone, as in the solo fit).
    m = jkeras.Sequential([layers.Dense(8, activation="tanh", trainable=False),
                           layers.Dense(4, activation="tanh"), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


@pytest.fixture(scope="module")
def data():
    rs = np.random.RandomState(0)
    x = rs.randn(96, 6).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1).astype("int32")
    return x, y


def solo(model_fn, seed, fit_calls):
    """The reference: one member trained alone."""
    jkeras.utils.set_random_seed(seed)
    model = model_fn()
    histories = [model.fit(**kw).history for kw in fit_calls]
    return model, histories


def assert_member_matches(ens, i, model, ens_hist, solo_hist):
    for a, b in zip(ens.member(i).get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    assert sorted(ens_hist) == sorted(solo_hist)
    for name, per_epoch in solo_hist.items():
        got = [v[i] for v in ens_hist[name][-len(per_epoch):]]
        np.testing.assert_allclose(got, per_epoch, **TOL, err_msg=name)


def test_members_equal_solo_fits_evaluate_and_predict(data):
    x, y = data
    kw = dict(x=x[:64], y=y[:64], batch_size=16, epochs=2, verbose=0, shuffle=True,
              validation_data=(x[64:], y[64:]))
    ens = jkeras.Ensemble(mlp, n=2)
    hist = ens.fit(**kw).history
    assert sorted(hist) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for name, per_epoch in hist.items():
        assert len(per_epoch) == 2 and all(np.shape(v) == (2,) for v in per_epoch), name
    # Different seeds really give different members.
    assert not np.allclose(ens.member(0).get_weights()[0], ens.member(1).get_weights()[0])
    loss, acc = ens.evaluate(x, y, batch_size=32)
    logs = ens.evaluate(x, y, batch_size=32, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"] and np.shape(loss) == (2,)
    pred = ens.predict(x, batch_size=40)  # 96 = 2 * 40 + a partial batch
    assert pred.shape == (2, 96, 3)
    for i in range(2):
        model, (solo_hist,) = solo(mlp, i, [kw])
        assert_member_matches(ens, i, model, hist, solo_hist)
        want_loss, want_acc = model.evaluate(x, y, batch_size=32, verbose=0)
        np.testing.assert_allclose([loss[i], acc[i]], [want_loss, want_acc], **TOL)
        np.testing.assert_allclose(logs["loss"][i], want_loss, **TOL)
        np.testing.assert_allclose(pred[i], model.predict(x, batch_size=40, verbose=0), **TOL)


def test_dropout_and_batchnorm_members_equal_solo_fits(data):
    x, y = data
    kw = dict(x=x, y=y, batch_size=24, epochs=2, verbose=0, validation_split=0.25,
              validation_freq=2)
    ens = jkeras.Ensemble(dropout_bn, n=2, seeds=[7, 11])
    hist = ens.fit(**kw).history
    assert len(hist["val_loss"]) == 1  # evaluated at epoch 2 only, as validation_freq=2
    for i, seed in enumerate([7, 11]):
        model, (solo_hist,) = solo(dropout_bn, seed, [kw])
        bn = model.get_layer(index=2).get_variables()["state"]
        ens_bn = ens.member(i).get_layer(index=2).get_variables()["state"]
        np.testing.assert_allclose(ens_bn["moving_mean"], bn["moving_mean"], **TOL)
        np.testing.assert_allclose(ens_bn["moving_variance"], bn["moving_variance"], **TOL)
        assert_member_matches(ens, i, model, hist, solo_hist)


def test_lazy_build_and_second_fit_continue_like_solo(data):
    x, y = data
    y = y.astype("float32")[:, None]
    first = dict(x=x, y=y, batch_size=20, epochs=2, verbose=0)  # 96 = 4 * 20 + a partial batch
    second = dict(x=x, y=y, batch_size=20, epochs=1, verbose=0, shuffle=False)
    ens = jkeras.Ensemble(lazy_regressor, n=2)
    assert not ens.member(0).built
    ens.fit(**first)
    hist = ens.fit(**second).history
    for i in range(2):
        model, (_, solo_hist) = solo(lazy_regressor, i, [first, second])
        assert_member_matches(ens, i, model, {k: v[-1:] for k, v in hist.items()}, solo_hist)
        np.testing.assert_array_equal(ens.member(i).optimizer.iterations,
                                      model.optimizer.iterations)



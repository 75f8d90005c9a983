"""Array-valued metrics in fit / evaluate logs, as tf.keras (Keras 3.15): History, callback logs
and evaluate hold float32 NumPy arrays; the progress bar prints their mean; values equal
tf.keras's with the same weights, on the fused path (no hooks) and the hooked one."""
import re

import numpy as np
import pytest

import jkeras


def _data():
    rs = np.random.RandomState(1)
    x = rs.rand(24, 3).astype("float32")
    return x, np.eye(3, dtype="float32")[rs.randint(0, 3, 24)]


def _model(K):
    model = K.Sequential([K.layers.Input((3,)), K.layers.Dense(3, activation="softmax")])
    model.compile(K.optimizers.SGD(0.5), "categorical_crossentropy",
                  metrics=[K.metrics.F1Score(average=None), "accuracy",
                           K.metrics.Precision(thresholds=[0.2, 0.4, 0.6], name="prec")])
    return model


class Logs:
    def __init__(self, K):
        class Recorder(K.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.seen = []

            def on_train_batch_end(self, batch, logs=None):
                self.seen.append(("batch", dict(logs)))

            def on_epoch_end(self, epoch, logs=None):
                self.seen.append(("epoch", dict(logs)))
        self.callback = Recorder()


def _pair(tf):
    ours, theirs = _model(jkeras), _model(tf.keras)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _assert_same_logs(ours, theirs):
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if isinstance(value, list):
            assert len(ours[key]) == len(value)
            for a, b in zip(ours[key], value):
                _assert_same_value(a, b, key)
        else:
            _assert_same_value(ours[key], value, key)


def _assert_same_value(a, b, key):
    assert isinstance(a, np.ndarray) == isinstance(b, np.ndarray), (key, a, b)
    if isinstance(b, np.ndarray):
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape, (key, a, b)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("hooked", [False, True])
def test_history_holds_arrays_as_tf_keras(tf, hooked):
    x, y = _data()
    ours, theirs = _pair(tf)
    kw = dict(batch_size=8, epochs=2, shuffle=False, verbose=0, validation_data=(x, y))
    rec_ours, rec_theirs = Logs(jkeras), Logs(tf.keras)
    h_ours = ours.fit(x, y, callbacks=[rec_ours.callback] if hooked else [], **kw).history
    h_theirs = theirs.fit(x, y, callbacks=[rec_theirs.callback] if hooked else [], **kw).history
    assert h_ours["f1_score"][0].shape == (3,) and h_ours["val_prec"][0].shape == (3,)
    _assert_same_logs(h_ours, h_theirs)
    if hooked:
        assert [k for k, _ in rec_ours.callback.seen] == [k for k, _ in rec_theirs.callback.seen]
        for (_, a), (_, b) in zip(rec_ours.callback.seen, rec_theirs.callback.seen):
            _assert_same_logs(a, b)


def test_evaluate_and_on_batch_return_arrays(tf):
    x, y = _data()
    ours, theirs = _pair(tf)
    _assert_same_logs(ours.evaluate(x, y, verbose=0, return_dict=True),
                      theirs.evaluate(x, y, verbose=0, return_dict=True))
    as_list_ours, as_list_theirs = ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0)
    assert len(as_list_ours) == len(as_list_theirs) == 4
    for a, b in zip(as_list_ours, as_list_theirs):
        _assert_same_value(a, b, "evaluate")
    _assert_same_logs(ours.test_on_batch(x, y, return_dict=True),
                      theirs.test_on_batch(x, y, return_dict=True))
    _assert_same_logs(ours.train_on_batch(x, y, return_dict=True),
                      theirs.train_on_batch(x, y, return_dict=True))


def test_progress_bar_prints_the_mean(tf, capsys):
    x, y = _data()
    ours, theirs = _pair(tf)
    kw = dict(batch_size=8, epochs=1, shuffle=False, verbose=2)
    theirs.fit(x, y, **kw)
    text_theirs = capsys.readouterr().out
    hist = ours.fit(x, y, **kw).history
    text_ours = capsys.readouterr().out

    def shown(text):
        return dict(re.findall(r"(\w+): (\d+\.\d+(?:e[-+]\d+)?)", text))
    assert shown(text_ours) == shown(text_theirs)
    assert float(shown(text_ours)["f1_score"]) == pytest.approx(
        float(np.mean(hist["f1_score"][0])), abs=1e-4)

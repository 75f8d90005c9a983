"""Compiled metric names in fit's History, as tf.keras (Keras 3.15): repeated names get `_1`,
`_2` suffixes (per output for multi-output models), a metric named like the loss leaves the
loss; the values equal tf.keras's with the same weights."""
import numpy as np
import pytest

import jkeras


def _data():
    rs = np.random.RandomState(0)
    return rs.rand(24, 3).astype("float32"), rs.rand(24, 2).astype("float32")


def _single(K, metrics):
    model = K.Sequential([K.layers.Input((3,)), K.layers.Dense(2, name="d")])
    model.compile(K.optimizers.SGD(0.1), "mse", metrics=metrics)
    return model


def _multi(K, metrics):
    inp = K.layers.Input((3,))
    model = K.Model(inp, [K.layers.Dense(2, name="a")(inp), K.layers.Dense(2, name="b")(inp)])
    model.compile(K.optimizers.SGD(0.1), ["mse", "mse"], metrics=metrics)
    return model


CASES = {
    "string_and_object": (False, lambda K: ["mae", K.metrics.MeanAbsoluteError()]),
    "same_string_twice": (False, lambda K: ["mae", "mae"]),
    "same_object_class_twice": (False, lambda K: [K.metrics.MeanAbsoluteError(),
                                                   K.metrics.MeanAbsoluteError()]),
    "same_explicit_name": (False, lambda K: [K.metrics.MeanAbsoluteError(name="x"),
                                              K.metrics.MeanSquaredError(name="x")]),
    "three_repeats": (False, lambda K: ["mse", "mse", K.metrics.MeanSquaredError(name="mse")]),
    "named_like_the_loss": (False, lambda K: [K.metrics.MeanSquaredError(name="loss")]),
    "per_output_list": (True, lambda K: [["mae"], ["mae"]]),
    "per_output_dict_repeat": (True, lambda K: {"a": ["mae", K.metrics.MeanAbsoluteError(),
                                                      "mae"], "b": ["mae"]}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_history_keys_and_values_match_tf_keras(tf, case):
    multi, metrics = CASES[case]
    build = _multi if multi else _single
    x, y = _data()
    ys = [y, y[::-1]] if multi else y
    ours, theirs = build(jkeras, metrics(jkeras)), build(tf.keras, metrics(tf.keras))
    theirs.set_weights(ours.get_weights())
    kw = dict(batch_size=8, epochs=2, shuffle=False, verbose=0, validation_data=(x, ys))
    h_ours = ours.fit(x, ys, **kw).history
    h_theirs = theirs.fit(x, ys, **kw).history
    assert list(h_ours) == list(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-5, err_msg=key)
    e_ours = ours.evaluate(x, ys, verbose=0, return_dict=True)
    e_theirs = theirs.evaluate(x, ys, verbose=0, return_dict=True)
    assert list(e_ours) == list(e_theirs)
    np.testing.assert_allclose(ours.evaluate(x, ys, verbose=0),
                               theirs.evaluate(x, ys, verbose=0), rtol=1e-5)

"""jkeras.testing: the user-facing tf.keras parity report (outputs and gradients)."""
import numpy as np
import pytest

import jkeras
from jkeras.testing import assert_parity, compare_with_tf


def _mlp(K, activation="relu"):
    return K.Sequential([K.Input(shape=(4,)), K.layers.Dense(8, activation=activation),
                         K.layers.Dense(3, activation="softmax")])


X = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)


def test_twin_with_copied_weights_agrees(tf):
    report = compare_with_tf(_mlp(tf.keras), X, jkeras_model=_mlp(jkeras))
    assert report.max_output_abs < 1e-6 and report.max_grad_abs < 1e-6
    assert report.within(rtol=1e-5)
    assert set(report.per_weight) == {"dense/kernel", "dense/bias", "dense_1/kernel",
                                      "dense_1/bias"}
    assert report.max_grad_abs > 0 or all(v == 0 for v in report.per_weight.values())
    np.testing.assert_allclose(report.loss_jkeras, report.loss_tf, rtol=1e-6)
    assert "gradients: max |diff|" in str(report)


def test_gradients_are_compared_not_just_outputs(tf):
    """A twin whose forward pass differs shows up in both outputs and gradients."""
    with pytest.raises(AssertionError, match="differ beyond") as err:
        assert_parity(_mlp(tf.keras, "relu"), X, jkeras_model=_mlp(jkeras, "tanh"))
    assert "dense/kernel" in str(err.value)
    report = compare_with_tf(_mlp(tf.keras, "relu"), X, jkeras_model=_mlp(jkeras, "tanh"))
    assert report.max_output_abs > 1e-4 and report.max_grad_abs > 1e-4


def test_loss_and_targets(tf):
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]
    report = assert_parity(_mlp(tf.keras), X, jkeras_model=_mlp(jkeras),
                           loss="categorical_crossentropy", targets=y)
    assert report.loss_tf > 0.5  # a real crossentropy of an untrained 3-class model
    np.testing.assert_allclose(report.loss_jkeras, report.loss_tf, rtol=1e-6)


def test_one_call_conversion_through_keras_file(tf):
    inp = tf.keras.Input(shape=(4,))
    h = tf.keras.layers.Dense(5, activation="relu")(inp)
    h = tf.keras.layers.BatchNormalization()(h)
    out = tf.keras.layers.Dense(2)(h)
    theirs = tf.keras.Model(inp, out)
    report = assert_parity(theirs, X, rtol=1e-5)
    assert len(report.per_weight) == 6  # two Dense (kernel, bias) + gamma, beta


def test_bad_arguments(tf):
    theirs = _mlp(tf.keras)
    with pytest.raises(ValueError, match="`loss` and `targets` together"):
        compare_with_tf(theirs, X, jkeras_model=_mlp(jkeras), loss="mse")
    with pytest.raises(TypeError, match="loss name or a pair"):
        compare_with_tf(theirs, X, jkeras_model=_mlp(jkeras), loss=3, targets=X)
    other = jkeras.Sequential([jkeras.Input(shape=(4,)), jkeras.layers.Dense(2)])
    with pytest.raises(ValueError, match="do not line up"):
        compare_with_tf(theirs, X, jkeras_model=other)


def test_without_tensorflow_the_helpers_say_to_install_it(monkeypatch):
    import sys

    import numpy as np
    import pytest

    import jkeras.testing
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # `import tensorflow` fails
    with pytest.raises(ImportError, match="pip install tensorflow-cpu"):
        jkeras.testing.assert_parity(object(), np.zeros((1, 2), np.float32))

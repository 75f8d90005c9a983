"""Parity with tf.keras.initializers of the names added for the full Keras catalogue: the STFT
initializer (values) and Keras's other exported names (aliases resolve to the same classes;
get / serialize / deserialize agree with tf.keras)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from jkeras import initializers as I  # noqa: E402

TKI = tf.keras.initializers


@pytest.mark.parametrize("kwargs", [
    {}, {"side": "imag"}, {"window": "hamming", "scaling": "spectrum"},
    {"window": None, "scaling": None}, {"periodic": True}, {"window": "blackman",
                                                            "side": "imag"},
    {"window": np.linspace(0.1, 1.0, 16).astype(np.float32)},
])
@pytest.mark.parametrize("shape", [(16, 1, 9), (16, 2, 5)])
def test_stft_values_match_tf(kwargs, shape):
    theirs = TKI.STFT(**kwargs)(shape, dtype="float32").numpy()
    ours = np.asarray(I.STFT(**kwargs)(shape, "float32", key=jax.random.PRNGKey(0)))
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_stft_errors_use_keras_wording():
    for kwargs in ({"side": "both"}, {"scaling": "power"}):
        with pytest.raises(ValueError) as theirs:
            TKI.STFT(**kwargs)
        with pytest.raises(ValueError) as ours:
            I.STFT(**kwargs)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="The shape of `window` must be equal"):
        I.STFT(window=np.ones(3, np.float32))((4, 1, 3))


ALIASES = ["IdentityInitializer", "OrthogonalInitializer", "STFTInitializer", "constant",
           "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
           "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal",
           "random_uniform", "stft", "truncated_normal", "variance_scaling", "zeros"]


@pytest.mark.parametrize("name", ALIASES)
def test_alias_is_the_keras_class(name):
    theirs = getattr(TKI, name)
    ours = getattr(I, name)
    assert ours.__name__ == theirs.__name__
    mine, ref = I.serialize(ours()), TKI.serialize(theirs())
    if theirs is TKI.Identity:
        # Keras's Identity has no get_config (its gain is lost); jkeras keeps {"gain": ...}.
        mine, ref = mine["class_name"], ref["class_name"]
    assert mine == ref
    if name != "constant":  # tf.keras's get("constant") fails (Constant config needs a value)
        assert type(I.get(name)) is ours


@pytest.mark.parametrize("name", ["stft", "STFT", "STFTInitializer"])
def test_stft_get_serialize_round_trip(name):
    init = I.get(name)
    config = I.serialize(init)
    assert config == TKI.serialize(TKI.get(name))
    again = I.deserialize(TKI.serialize(TKI.STFT(side="imag", window="hamming")))
    assert isinstance(again, I.STFT) and again.side == "imag" and again.window == "hamming"

"""Layer configs against tf.keras (Keras 3.15.1): for the same constructor arguments our
`get_config()` equals tf.keras's (after a JSON round trip) and each library rebuilds the layer
from the other's config. Outputs on copied weights: test_layer_config_load_parity.py."""
import copy
import importlib.util
import json
import pathlib

import numpy as np
import pytest

from jkeras import layers as L
from jkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

_spec = importlib.util.spec_from_file_location(
    "layer_config_cases",
    pathlib.Path(__file__).parents[1] / "saving" / "layer_config_cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


def ours_json(config):
    return json.loads(json.dumps(serialize_keras_object(config)))


def theirs_json(tf, obj):
    from keras.src.saving import serialization_lib
    return json.loads(json.dumps(serialization_lib.serialize_keras_object(obj)))


def _strip_names(value):
    """Auto-generated names differ by session counters (e.g. Bidirectional's inner
    'forward_lstm_3'); everything else must match."""
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [_strip_names(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_config_equals_tf_keras(tf, name):
    factory, _ = cases.CASES[name]
    ours = ours_json(factory(L).get_config())
    theirs = theirs_json(tf, factory(tf.keras.layers).get_config())
    assert _strip_names(ours) == _strip_names(theirs)


@pytest.mark.parametrize("name", sorted(cases.CONFIG_ONLY))
def test_argument_variants_config_equals_tf_keras_and_loads_across(tf, name):
    factory = cases.CONFIG_ONLY[name]
    ours = ours_json(factory(L).get_config())
    theirs = theirs_json(tf, factory(tf.keras.layers).get_config())
    assert _strip_names(ours) == _strip_names(theirs)
    # (copies: Keras's RNN.from_config pops "cell" from the dict it is given)
    from_ours = type(factory(tf.keras.layers)).from_config(copy.deepcopy(ours))
    assert _strip_names(theirs_json(tf, from_ours.get_config())) == _strip_names(theirs)
    from_theirs = type(factory(L)).from_config(copy.deepcopy(theirs))
    assert _strip_names(ours_json(from_theirs.get_config())) == _strip_names(ours)


def test_input_layer_config_equals_tf_keras(tf):
    ours = L.InputLayer(shape=(3, None), dtype="int32", name="tokens").get_config()
    theirs = tf.keras.layers.InputLayer(shape=(3, None), dtype="int32", name="tokens").get_config()
    assert ours_json(ours) == theirs_json(tf, theirs)
    assert tf.keras.layers.InputLayer.from_config(ours_json(ours)).batch_shape == (None, 3, None)
    assert L.InputLayer.from_config(theirs_json(tf, theirs)).batch_shape == (None, 3, None)


def test_adapted_normalization_config_equals_tf_keras(tf):
    data = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    ours, theirs = L.Normalization(), tf.keras.layers.Normalization()
    ours.adapt(data)
    theirs.adapt(data)
    assert _strip_names(ours_json(ours.get_config())) == _strip_names(
        theirs_json(tf, theirs.get_config()))


def test_tf_keras_lambda_config_is_refused_in_safe_mode(tf):
    theirs = tf.keras.layers.Lambda(lambda x: x + 1.0)
    config = theirs_json(tf, theirs.get_config())
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(config)
    clone = L.Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(np.asarray(clone(np.zeros(2, "float32"))), [1.0, 1.0])


def test_tf_keras_loads_our_lambda_with_named_function(tf):
    from keras.src.saving import serialization_lib
    config = ours_json(L.Lambda(_triple, name="t"))
    layer = serialization_lib.deserialize_keras_object(config, custom_objects={"_triple": _triple})
    np.testing.assert_allclose(np.asarray(layer(np.ones(2, "float32"))), [3.0, 3.0])


def _triple(x):
    return x * 3.0


def _cube(x):
    return x * x * x


def test_registered_custom_activation_config_matches_and_loads_across(tf):
    import keras
    from jkeras.saving.serialization import register_keras_serializable
    keras.saving.register_keras_serializable(package="ParityPkg")(_cube)
    register_keras_serializable(package="ParityPkg")(_cube)
    ours = L.Dense(2, activation=_cube, name="d").get_config()
    theirs = tf.keras.layers.Dense(2, activation=_cube, name="d").get_config()
    assert ours_json(ours) == theirs_json(tf, theirs)
    assert tf.keras.layers.Dense.from_config(ours_json(ours)).activation is _cube
    assert L.Dense.from_config(theirs_json(tf, theirs)).activation is _cube


def test_unregistered_function_loads_across_with_custom_objects(tf):
    from keras.src.saving import serialization_lib
    ours = ours_json(L.Dense(2, activation=_triple, name="d"))
    theirs = theirs_json(tf, tf.keras.layers.Dense(2, activation=_triple, name="d"))
    assert ours == theirs
    layer = serialization_lib.deserialize_keras_object(ours, custom_objects={"_triple": _triple})
    assert layer.activation is _triple
    assert deserialize_keras_object(theirs, custom_objects={"_triple": _triple}).activation \
        is _triple


def test_custom_layer_automatic_config_matches_tf_keras(tf):
    class Scale(L.Layer):
        def __init__(self, factor, offset=0.0, **kwargs):
            super().__init__(**kwargs)
            self.factor, self.offset = factor, offset

        def call(self, x):
            return x * self.factor + self.offset

    class TFScale(tf.keras.layers.Layer):
        def __init__(self, factor, offset=0.0, **kwargs):
            super().__init__(**kwargs)
            self.factor, self.offset = factor, offset

        def call(self, x):
            return x * self.factor + self.offset

    ours = ours_json(Scale(2.0, offset=0.5, name="s").get_config())
    theirs = theirs_json(tf, TFScale(2.0, offset=0.5, name="s").get_config())
    assert ours == theirs
    assert TFScale.from_config(ours).factor == 2.0
    assert Scale.from_config(theirs).offset == 0.5

"""Each library loads the other's layer configs (tf.keras 3.15.1): layers rebuilt from the
other's config and build config, or from its full serialized form, compute the same outputs on
copied weights."""
import importlib.util
import json
import pathlib

import jax
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

_spec = importlib.util.spec_from_file_location(
    "layer_config_cases",
    pathlib.Path(__file__).parents[1] / "saving" / "layer_config_cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


def ours_json(obj):
    return json.loads(json.dumps(serialize_keras_object(obj)))


def theirs_json(tf, obj):
    from keras.src.saving import serialization_lib
    return json.loads(json.dumps(serialization_lib.serialize_keras_object(obj)))


def outputs(layer, inputs):
    return [np.asarray(o) for o in jax.tree_util.tree_leaves(layer(*inputs))]


def tf_outputs(tf, layer, inputs):
    return [np.asarray(o) for o in tf.nest.flatten(layer(*inputs))]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_each_library_loads_the_others_config(tf, name):
    factory, inputs = cases.CASES[name]
    ours, theirs = factory(L), factory(tf.keras.layers)
    expected, want = outputs(ours, inputs), tf_outputs(tf, theirs, inputs)

    # tf.keras from our config, built from our build config, running our weights
    tf_clone = type(theirs).from_config(ours_json(ours.get_config()))
    if ours.weights:
        tf_clone.build_from_config(ours_json(ours.get_build_config()))
        tf_clone.set_weights(ours.get_weights())
    for got, w in zip(tf_outputs(tf, tf_clone, inputs), expected):
        np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-5)

    # ours from tf.keras's config and build config, running their weights
    clone = type(ours).from_config(theirs_json(tf, theirs.get_config()))
    if theirs.weights:
        clone.build_from_config(theirs_json(tf, theirs.get_build_config()))
        clone.set_weights(theirs.get_weights())
    for got, w in zip(outputs(clone, inputs), want):
        np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["Dense", "Conv2D", "LSTM", "Bidirectional", "Embedding",
                                  "MultiHeadAttention", "BatchNormalization", "Add"])
def test_serialized_layer_with_build_config_loads_across(tf, name):
    """The full serialized form (module/class_name/config/build_config), as in `.keras`."""
    from keras.src.saving import serialization_lib
    factory, inputs = cases.CASES[name]
    ours, theirs = factory(L), factory(tf.keras.layers)
    outputs(ours, inputs)
    tf_outputs(tf, theirs, inputs)
    mine, their = ours_json(ours), theirs_json(tf, theirs)
    assert (mine["module"], mine["class_name"]) == (their["module"], their["class_name"])
    assert mine["build_config"] == their["build_config"]

    rebuilt_theirs = serialization_lib.deserialize_keras_object(mine)
    assert rebuilt_theirs.built
    rebuilt_theirs.set_weights(ours.get_weights())
    rebuilt_ours = deserialize_keras_object(their)
    assert rebuilt_ours.built
    rebuilt_ours.set_weights(theirs.get_weights())
    for got, want in zip(outputs(rebuilt_ours, inputs), tf_outputs(tf, theirs, inputs)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)

"""clone_model, to_json / model_from_json: same architecture, new weights, as tf.keras."""
import json

import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def functional(lib):
    inp = lib.Input(shape=(4,), name="x")
    shared = lib.layers.Dense(3, name="shared")
    a, b = shared(inp), shared(lib.layers.Dense(4, name="pre")(inp))
    out = lib.layers.Concatenate(name="cat")([a, b])
    return lib.Model(inp, lib.layers.Dense(2, name="head")(out), name="net")


def sequential(lib):
    return lib.Sequential([lib.Input(shape=(4,)), lib.layers.Dense(3, name="d1"),
                           lib.layers.Dropout(0.1), lib.layers.Dense(2, name="d2")], name="seq")


@pytest.mark.parametrize("make", [functional, sequential])
def test_clone_model_same_architecture_new_weights(tf, make):
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    model = make(jkeras)
    clone = jkeras.models.clone_model(model)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    theirs = tf.keras.models.clone_model(make(tf.keras))
    assert [l.name for l in clone.layers] == [l.name for l in theirs.layers]
    assert clone.count_params() == theirs.count_params()


def test_clone_function_and_shared_layers_stay_shared():
    model = functional(jkeras)
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())
    clone = jkeras.models.clone_model(model, clone_function=clone_function)
    assert seen.count("shared") == 1 and clone.count_params() == model.count_params()


@pytest.mark.parametrize("make", [functional, sequential])
def test_to_json_round_trip_and_reads_tf_keras_json(tf, make):
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    model = make(jkeras)
    text = model.to_json()
    assert json.loads(text)["class_name"] in ("Functional", "Sequential")
    again = jkeras.models.model_from_json(text)
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again(x), model(x), rtol=1e-6)
    theirs = make(tf.keras)
    from_tf = jkeras.models.model_from_json(theirs.to_json())
    from_tf.set_weights(theirs.get_weights())
    np.testing.assert_allclose(from_tf(x), theirs(x).numpy(), rtol=1e-5, atol=1e-6)
    back = tf.keras.models.model_from_json(model.to_json())
    back.set_weights(model.get_weights())
    np.testing.assert_allclose(back(x).numpy(), model(x), rtol=1e-5, atol=1e-6)


def test_clone_of_a_compiled_model_is_compiled_the_same_way(tf):
    # Keras 3 compiles the clone of a compiled Sequential / functional model from its config.
    import jkeras
    for build in (lambda k: k.Sequential([k.Input((3,)), k.layers.Dense(2)]),
                  lambda k: k.Model(*(lambda i: (i, k.layers.Dense(2)(i)))(k.Input((3,))))):
        ours, theirs = build(jkeras), build(tf.keras)
        for model in (ours, theirs):
            model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
        ours_clone = jkeras.models.clone_model(ours)
        theirs_clone = tf.keras.models.clone_model(theirs)
        assert ours_clone.compiled and theirs_clone.compiled
        assert ours_clone.optimizer is not ours.optimizer
        assert ours_clone.get_compile_config()["loss"] == theirs_clone.get_compile_config()["loss"]
        assert ours_clone.get_compile_config()["metrics"] == \
            theirs_clone.get_compile_config()["metrics"]
        x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
        assert list(ours_clone.fit(x, y, verbose=0).history) == \
            list(theirs_clone.fit(x, y, verbose=0).history)
    assert not jkeras.models.clone_model(
        jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(2)])).compiled


def test_call_function_wraps_each_layer_call_as_keras(tf):
    # keras's docstring example: a Dropout after each Dense, reusing the same layers.
    import jkeras
    x = np.random.default_rng(0).random((4, 3)).astype("float32")
    summaries = []
    for keras in (jkeras, tf.keras):
        inputs = keras.Input((3,))
        outputs = keras.layers.Dense(2)(keras.layers.Dense(4)(inputs))
        model = keras.Model(inputs, outputs)

        def call_function(layer, *args, **kwargs):
            out = layer(*args, **kwargs)
            if isinstance(layer, keras.layers.Dense):
                out = keras.layers.Dropout(0.5)(out)
            return out

        clone = keras.models.clone_model(model, clone_function=lambda layer: layer,
                                         call_function=call_function)
        summaries.append([type(layer).__name__ for layer in clone.layers])
        assert clone.layers[1] is model.layers[1]
        np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), rtol=1e-6)
        with pytest.raises(ValueError, match="not supported with Sequential"):
            keras.models.clone_model(keras.Sequential([keras.Input((3,)),
                                                       keras.layers.Dense(2)]),
                                     call_function=call_function)
    assert summaries[0] == summaries[1] == ["InputLayer", "Dense", "Dropout", "Dense", "Dropout"]

"""Re-exports (Progbar, serialization, PyDataset), get_source_inputs, pack / unpack."""
import numpy as np
import pytest

import jkeras
from jkeras import layers, utils


def test_reexports_are_the_library_objects():
    from jkeras.saving import serialization
    from jkeras.training import progbar
    assert utils.Progbar is progbar.Progbar
    assert utils.serialize_keras_object is serialization.serialize_keras_object
    assert utils.deserialize_keras_object is serialization.deserialize_keras_object
    assert utils.Sequence is utils.PyDataset
    assert utils.set_random_seed is jkeras.utils.set_random_seed


def test_custom_objects_registry_and_scope():
    @utils.register_keras_serializable(package="Tests")
    class Doubler(layers.Layer):
        def call(self, x):
            return 2 * x

        def get_config(self):
            return super().get_config()
    assert utils.get_custom_objects()["Tests>Doubler"] is Doubler
    assert utils.get_registered_name(Doubler) == "Tests>Doubler"

    def plus_one(x):
        return x + 1
    utils.get_custom_objects()["plus_one_fn"] = plus_one
    assert utils.get_registered_object("plus_one_fn") is plus_one
    with utils.custom_object_scope({"scoped_fn": plus_one}):
        assert utils.get_registered_object("scoped_fn") is plus_one
    assert utils.get_registered_object("scoped_fn") is None
    del utils.get_custom_objects()["plus_one_fn"]
    m = jkeras.Sequential([jkeras.Input((2,)), Doubler()])
    config = utils.serialize_keras_object(m)
    again = utils.deserialize_keras_object(config)
    np.testing.assert_allclose(again.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])


def test_get_source_inputs_matches_keras(tf):
    def graph(lib):
        a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
        h = lib.layers.Dense(4)(a)
        out = lib.layers.Add()([h, lib.layers.Dense(4)(b)])
        out = lib.layers.Dense(2)(lib.layers.Concatenate()([out, h]))
        return a, b, h, out
    a, b, h, out = graph(jkeras)
    ka, kb, kh, kout = graph(tf.keras)
    assert [t.name for t in utils.get_source_inputs(out)] == \
        [t.name for t in tf.keras.utils.get_source_inputs(kout)] == ["a", "b"]
    assert utils.get_source_inputs(h) == [a] and utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(h) and not utils.is_keras_tensor(np.ones(2))
    x = np.ones(2)
    assert utils.get_source_inputs(x) is x


def test_pack_and_unpack_match_keras(tf):
    x, y, sw = np.ones((2, 1)), np.zeros(2), np.ones(2)
    for data in (x, (x,), (x, y), [x, y, sw], {"a": x}):
        ours, theirs = utils.unpack_x_y_sample_weight(data), \
            tf.keras.utils.unpack_x_y_sample_weight(data)
        assert all((a is b) for a, b in zip(ours, theirs))
    with pytest.raises(ValueError, match=r"Data is expected to be in format `x`, `\(x,\)`"):
        utils.unpack_x_y_sample_weight((x, y, sw, sw))
    for args in ((x,), ((x, y),), ([x, y],), (x, y), (x, y, sw)):
        ours, theirs = utils.pack_x_y_sample_weight(*args), \
            tf.keras.utils.pack_x_y_sample_weight(*args)
        assert type(ours) is type(theirs) and (
            ours is theirs or all(a is b for a, b in zip(ours, theirs)))


def test_clear_session_restarts_names():
    layers.Dense(1)
    utils.clear_session()
    assert layers.Dense(1).name == "dense"


def test_config_behaves_as_keras(tf):
    for cls in (utils.Config, tf.keras.utils.Config):
        c = cls(learning_rate=0.1, layers=[1, 2])
        c.momentum = 0.9
        c["decay"] = 0.0
        assert (c.learning_rate, c["momentum"], len(c), list(c)) == (
            0.1, 0.9, 4, ["decay", "layers", "learning_rate", "momentum"])
        assert c.as_dict() == {"learning_rate": 0.1, "layers": [1, 2], "momentum": 0.9,
                               "decay": 0.0} and "decay" in c
        assert c.to_json() == '{"learning_rate": 0.1, "layers": [1, 2], "momentum": 0.9, ' \
                              '"decay": 0.0}'
        with pytest.raises(AttributeError, match="Unknown attribute: 'learning_rat'. Did you "
                                                 "mean 'learning_rate'?"):
            c.learning_rat
        c.freeze()
        assert c.frozen
        for mutate in (lambda: setattr(c, "x", 1), lambda: c.update(x=1), lambda: c.pop("decay"),
                       lambda: c.__delitem__("decay")):
            with pytest.raises(ValueError, match="the config is frozen"):
                mutate()
        c.unfreeze()
        c.x = 2
        assert c.get("x") == 2 and c.get("y", 5) == 5

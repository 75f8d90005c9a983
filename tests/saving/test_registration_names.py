"""`jkeras.saving`'s registration names as Keras 3's `keras.saving`: `get_custom_objects`,
`CustomObjectScope`, `get_registered_name`; a model file with a custom layer loads through each."""
import numpy as np
import pytest

import jkeras


def names_of(keras):
    return {n for n in ("CustomObjectScope", "get_custom_objects", "get_registered_name",
                        "custom_object_scope", "register_keras_serializable",
                        "get_registered_object") if hasattr(keras.saving, n)}


class Offset(jkeras.layers.Layer):
    def __init__(self, offset=1.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, inputs):
        return inputs + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


@pytest.fixture
def saved(tmp_path):
    inputs = jkeras.Input((2,))
    model = jkeras.Model(inputs, Offset(2.5, name="offset")(inputs))
    path = tmp_path / "m.keras"
    model.save(path)
    return path


def test_the_names_keras_saving_has(tf):
    keras = pytest.importorskip("keras")  # Keras 3 (tf.keras has no `saving` attribute)
    assert names_of(keras) <= names_of(jkeras)

    class Plain:
        pass
    assert jkeras.saving.get_registered_name(Plain) == keras.saving.get_registered_name(Plain)
    registered = jkeras.saving.register_keras_serializable("Pkg")(type(
        "Reg", (jkeras.layers.Layer,), {}))
    assert jkeras.saving.get_registered_name(registered) == "Pkg>Reg"
    assert jkeras.saving.get_custom_objects()["Pkg>Reg"] is registered
    assert jkeras.saving.get_custom_objects() is jkeras.utils.get_custom_objects()
    del jkeras.saving.get_custom_objects()["Pkg>Reg"]


def test_load_through_custom_object_scope(saved):
    with pytest.raises((TypeError, ValueError)):
        jkeras.models.load_model(saved)
    with jkeras.saving.CustomObjectScope({"Offset": Offset}):
        model = jkeras.models.load_model(saved)
    np.testing.assert_allclose(model(np.zeros((1, 2), np.float32)), [[2.5, 2.5]])


def test_load_through_get_custom_objects(saved):
    jkeras.saving.get_custom_objects()["Offset"] = Offset
    try:
        model = jkeras.models.load_model(saved)
    finally:
        del jkeras.saving.get_custom_objects()["Offset"]
    assert model.get_layer("offset").offset == 2.5

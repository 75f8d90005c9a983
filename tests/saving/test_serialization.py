"""serialize_keras_object / deserialize_keras_object: Keras 3's format for initializers,
activations, optimizers, losses, metrics, dtype policies and custom (registered) objects."""
import json

import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import activations, initializers, layers as L
from jkeras.saving import object_registration
from jkeras.saving.serialization import (
    DTypePolicy, custom_object_scope, deserialize_keras_object, get_registered_name,
    get_registered_object, register_keras_serializable, serialize_keras_object)


def round_trip(obj, **kwargs):
    config = json.loads(json.dumps(serialize_keras_object(obj)))
    return config, deserialize_keras_object(config, **kwargs)


@pytest.fixture
def clean_registry():
    saved = (dict(object_registration.GLOBAL_CUSTOM_OBJECTS),
             dict(object_registration.GLOBAL_CUSTOM_NAMES))
    yield
    object_registration.GLOBAL_CUSTOM_OBJECTS.clear()
    object_registration.GLOBAL_CUSTOM_OBJECTS.update(saved[0])
    object_registration.GLOBAL_CUSTOM_NAMES.clear()
    object_registration.GLOBAL_CUSTOM_NAMES.update(saved[1])


@pytest.mark.parametrize("init", [initializers.GlorotUniform(seed=3), initializers.Zeros(),
                                  initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1),
                                  initializers.Orthogonal(gain=2.0, seed=2),
                                  initializers.VarianceScaling(scale=2.0, mode="fan_out",
                                                               seed=4),
                                  initializers.Constant(0.25)])
def test_initializer_round_trip(init):
    config, again = round_trip(init)
    assert config["module"] == "keras.initializers"
    assert config["class_name"] == type(init).__name__
    assert type(again) is type(init) and again.get_config() == init.get_config()
    np.testing.assert_allclose(np.asarray(again((3, 3))), np.asarray(init((3, 3))))


@pytest.mark.parametrize("name", ["relu", "tanh", "softmax", "gelu", "silu", "linear"])
def test_activation_round_trip(name):
    fn = activations.get(name)
    config, again = round_trip(fn)
    assert config == {"module": "builtins", "class_name": "function", "config": name,
                      "registered_name": "function"}  # what Keras 3 writes
    assert again is fn


def test_activation_alias_and_jax_function_serialize_to_keras_names():
    assert activations.serialize("swish") == "silu"
    assert serialize_keras_object(jnp.tanh)["config"] == "tanh"


def test_optimizer_round_trip_keeps_config():
    opt = jkeras.optimizers.Adam(learning_rate=0.01, beta_1=0.8, amsgrad=True)
    config, again = round_trip(opt)
    assert (config["module"], config["class_name"]) == ("keras.optimizers", "Adam")
    assert type(again) is type(opt) and again.get_config() == opt.get_config()


def test_optimizer_with_schedule_round_trip():
    schedule = jkeras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    config, again = round_trip(jkeras.optimizers.SGD(learning_rate=schedule, momentum=0.9))
    assert config["config"]["learning_rate"]["class_name"] == "ExponentialDecay"
    assert again.get_config()["momentum"] == 0.9
    rebuilt = again.get_config()["learning_rate"]
    assert rebuilt == serialize_keras_object(schedule)
    assert float(deserialize_keras_object(rebuilt)(20)) == pytest.approx(0.1 * 0.5 ** 2)


def test_loss_round_trip():
    loss = jkeras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    config, again = round_trip(loss)
    assert (config["module"], config["class_name"]) == ("keras.losses", "BinaryCrossentropy")
    assert again.get_config() == loss.get_config()


def test_dtype_policy():
    config, again = round_trip(DTypePolicy("float64"))
    assert config == {"module": "keras", "class_name": "DTypePolicy",
                      "config": {"name": "float64"}, "registered_name": None}
    assert isinstance(again, DTypePolicy) and again.name == "float64"


def test_numpy_and_jax_arrays_and_nested_containers():
    value = {"a": np.arange(3, dtype="float32"), "b": [1, "x", None], "c": jnp.ones((2,))}
    config, again = round_trip(value)
    assert config["a"]["class_name"] == "__numpy__"
    assert config["c"]["class_name"] == "__tensor__"
    np.testing.assert_array_equal(again["a"], value["a"])
    np.testing.assert_array_equal(np.asarray(again["c"]), np.ones(2))
    assert again["b"] == [1, "x", None]


def test_slices_ellipsis_and_bytes():
    value = [slice(1, None, 2), Ellipsis, b"abc"]
    config, again = round_trip(value)
    assert [c["class_name"] for c in config] == ["__slice__", "__ellipsis__", "__bytes__"]
    assert again == value


def test_keras_internal_module_names_resolve_by_family():
    dense = deserialize_keras_object({"module": "keras.src.layers.core.dense",
                                      "class_name": "Dense", "config": {"units": 2},
                                      "registered_name": None})
    assert isinstance(dense, L.Dense) and dense.units == 2
    init = deserialize_keras_object({"module": "keras.src.initializers.constant_initializers",
                                     "class_name": "Identity", "config": {},
                                     "registered_name": None})
    assert isinstance(init, initializers.Identity)  # not the Identity layer


def test_unknown_class_names_it_and_says_how_to_fix():
    config = {"module": "my_project.layers", "class_name": "Fancy", "config": {},
              "registered_name": "Fancy"}
    with pytest.raises(ValueError, match="'Fancy'.*custom_objects.*register_keras_serializable"):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match="'NoSuchLayer'"):
        deserialize_keras_object({"module": "keras.layers", "class_name": "NoSuchLayer",
                                  "config": {}, "registered_name": None})


@pytest.mark.parametrize("name", ["jnp", "jax", "_BY_NAME", "initializers"])
def test_only_public_classes_and_functions_resolve(name):
    for module in ("keras.activations", "keras.layers"):
        with pytest.raises(ValueError, match="Could not locate"):
            deserialize_keras_object({"module": module, "class_name": "function",
                                      "config": name, "registered_name": "function"})
        with pytest.raises(ValueError, match="Could not locate"):
            deserialize_keras_object({"module": module, "class_name": name, "config": {},
                                      "registered_name": None})


class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_objects_and_scope():
    config = json.loads(json.dumps(serialize_keras_object(Scale(3.0, name="s"))))
    assert (config["module"], config["class_name"]) == (__name__, "Scale")
    layer = deserialize_keras_object(config, custom_objects={"Scale": Scale})
    assert isinstance(layer, Scale) and layer.factor == 3.0 and layer.name == "s"
    with custom_object_scope({"Scale": Scale}):
        assert deserialize_keras_object(config).factor == 3.0
    with pytest.raises(ValueError, match="'Scale'"):
        deserialize_keras_object(config)


def test_register_keras_serializable(clean_registry):
    @register_keras_serializable(package="MyPkg")
    class Shift(L.Layer):
        def __init__(self, by=1.0, **kwargs):
            super().__init__(**kwargs)
            self.by = by

        def call(self, x):
            return x + self.by

        def get_config(self):
            return {**super().get_config(), "by": self.by}

    assert get_registered_name(Shift) == "MyPkg>Shift"
    assert get_registered_object("MyPkg>Shift") is Shift
    config, again = round_trip(Shift(by=5.0))
    assert config["registered_name"] == "MyPkg>Shift"
    assert isinstance(again, Shift) and again.by == 5.0
    np.testing.assert_allclose(np.asarray(again(np.zeros(2, "float32"))), [5.0, 5.0])


def test_registered_custom_activation_inside_a_layer(clean_registry):
    @register_keras_serializable(package="Acts", name="square")
    def square(x):
        return x * x

    config, again = round_trip(L.Dense(2, activation=square))
    assert config["config"]["activation"] == {"module": "builtins", "class_name": "function",
                                              "config": "Acts>square",
                                              "registered_name": "function"}
    assert again.activation is square


def test_register_rejects_class_without_get_config(clean_registry):
    with pytest.raises(ValueError, match="get_config"):
        register_keras_serializable()(type("NoConfig", (), {}))


def test_python_lambda_needs_safe_mode_off():
    config = json.loads(json.dumps(serialize_keras_object(lambda x: x + 1)))
    assert config["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(config)
    assert deserialize_keras_object(config, safe_mode=False)(2) == 3


def test_object_without_get_config_is_a_type_error():
    with pytest.raises(TypeError, match="get_config"):
        serialize_keras_object(object())

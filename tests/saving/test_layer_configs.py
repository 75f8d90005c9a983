"""Every exported layer: `from_config(get_config())` gives an equal config and, on copied
weights, the same outputs; `serialize_keras_object` / `deserialize_keras_object` also rebuild
the weights from the build config."""
import importlib.util
import inspect
import json
import pathlib

import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

_spec = importlib.util.spec_from_file_location(
    "layer_config_cases", pathlib.Path(__file__).with_name("layer_config_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


def as_json(config):
    return json.loads(json.dumps(serialize_keras_object(config)))


def run(layer, inputs):
    out = layer(*inputs)
    return [np.asarray(o) for o in jax.tree_util.tree_leaves(out)]


def exported_layer_classes():
    found = {}
    for name in L.__all__:
        obj = getattr(L, name)
        if inspect.isclass(obj) and issubclass(obj, L.Layer) and obj is not L.Layer:
            found.setdefault(obj, name)
    return found


def test_every_exported_layer_class_has_a_case():
    covered = {type(factory(L)) for factory, _ in cases.CASES.values()}
    covered |= {L.InputLayer, L.Lambda, L.Wrapper}  # Wrapper: a base class without call
    covered |= {L.JaxLayer}  # configs hold functions: tests/layers/test_jax_layer.py
    # Config round trips through `layer_test` in their own files (tests/layers/test_<name>.py,
    # tests/layers/preprocessing/): FlaxLayer needs a registered module, MaxNumBoundingBoxes
    # dict inputs, the others random or spectral inputs of their own.
    covered |= {L.ReversibleEmbedding, L.SpectralNormalization, L.FlaxLayer, L.STFTSpectrogram,
                L.MelSpectrogram, L.Pipeline, L.ContrastLimitedAdaptiveHistogramEqualization,
                L.RandomElasticTransform, L.AugMix, L.RandAugment, L.MaxNumBoundingBoxes}
    missing = [name for cls, name in exported_layer_classes().items() if cls not in covered]
    assert missing == []


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_from_config_round_trip(name):
    factory, inputs = cases.CASES[name]
    layer = factory(L)
    expected = run(layer, inputs)
    config = as_json(layer.get_config())
    clone = type(layer).from_config(config)
    run(clone, inputs)  # builds the clone (and Bidirectional's nested build configs)
    assert as_json(clone.get_config()) == config
    clone.set_weights(layer.get_weights())
    for got, want in zip(run(clone, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["Dense", "Conv2D", "LSTM", "Bidirectional", "BatchNormalization",
                                  "Embedding", "MultiHeadAttention", "Concatenate"])
def test_deserialize_builds_from_build_config(name):
    factory, inputs = cases.CASES[name]
    layer = factory(L)
    expected = run(layer, inputs)
    config = as_json(layer)
    assert "build_config" in config
    clone = deserialize_keras_object(config)
    assert clone.built and [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
    clone.set_weights(layer.get_weights())
    for got, want in zip(run(clone, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_unbuilt_layer_has_no_build_config():
    assert L.Dense(3).get_build_config() is None
    assert "build_config" not in serialize_keras_object(L.Dense(3))


def test_symbolic_call_keeps_none_batch_in_build_config():
    x = jkeras.Input((4,))
    dense = L.Dense(2)
    dense(x)
    assert dense.get_build_config() == {"input_shape": (None, 4)}


def test_input_layer_config():
    layer = L.InputLayer(shape=(3, None), dtype="int32", name="tokens")
    config = as_json(layer.get_config())
    assert config == {"batch_shape": [None, 3, None], "dtype": "int32", "sparse": False,
                      "ragged": False, "name": "tokens", "optional": False}
    clone = L.InputLayer.from_config(config)
    assert clone.batch_shape == (None, 3, None) and clone.dtype == "int32"


def double_plus(x, offset=0.0):
    return 2.0 * x + offset


def test_lambda_with_named_function_round_trip():
    layer = L.Lambda(double_plus, arguments={"offset": 1.5}, name="dbl")
    config = as_json(layer.get_config())
    assert config["function"]["class_name"] == "function"
    assert config["function"]["config"] == "double_plus"
    clone = L.Lambda.from_config(config, custom_objects={"double_plus": double_plus})
    x = np.arange(3.0, dtype="float32")
    np.testing.assert_allclose(np.asarray(clone(x)), 2 * x + 1.5)


def test_lambda_python_lambda_needs_unsafe_mode():
    layer = L.Lambda(lambda x: x * 3.0)
    config = as_json(layer.get_config())
    assert config["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(as_json(layer))
    clone = L.Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(np.asarray(clone(np.ones(2, "float32"))), [3.0, 3.0])
    clone = deserialize_keras_object(as_json(layer), safe_mode=False)
    np.testing.assert_allclose(np.asarray(clone(np.ones(2, "float32"))), [3.0, 3.0])


def test_lambda_closure_survives_unsafe_round_trip():
    scale = 4.0
    layer = L.Lambda(lambda x: x * scale)
    clone = L.Lambda.from_config(as_json(layer.get_config()), safe_mode=False)
    np.testing.assert_allclose(np.asarray(clone(np.ones(2, "float32"))), [4.0, 4.0])


def test_adapted_normalization_round_trip_keeps_statistics_as_weights():
    layer = L.Normalization()
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 3)).astype("float32")
    layer.adapt(data)
    config = as_json(layer.get_config())
    assert config["mean"] is None and config["variance"] is None and config["axis"] == [-1]
    clone = deserialize_keras_object(as_json(layer))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(data)), np.asarray(layer(data)), atol=1e-6)


def test_dtype_policy_string_or_dict_accepted():
    config = as_json(L.Dense(2, dtype="float64").get_config())
    assert config["dtype"]["config"] == {"name": "float64"}
    assert L.Dense.from_config(config).dtype == "float64"
    assert L.Dense.from_config({**config, "dtype": "float16"}).dtype == "float16"


def test_mixed_precision_policy_in_config_is_restored():
    config = as_json(L.Dense(2).get_config())
    config["dtype"]["config"]["name"] = "mixed_float16"
    layer = L.Dense.from_config(config)
    assert (layer.dtype, layer.compute_dtype) == ("float32", "float16")
    assert layer.get_config()["dtype"] == config["dtype"]
    config["dtype"]["config"]["name"] = "mixed_float17"
    with pytest.raises(ValueError, match="Cannot convert 'mixed_float17' to a mixed precision"):
        L.Dense.from_config(config)


@pytest.mark.parametrize("key,cls", [("kernel_regularizer", "L2"), ("bias_constraint", "NonNeg")])
def test_non_null_regularizer_or_constraint_round_trips(key, cls):
    config = as_json(L.Dense(2, name="d").get_config())
    family = "regularizers" if key.endswith("regularizer") else "constraints"
    config[key] = {"module": f"keras.{family}", "class_name": cls,
                   "config": {"l2": 0.01} if cls == "L2" else {}, "registered_name": None}
    layer = L.Dense.from_config(config)
    assert type(getattr(layer, key)).__name__ == cls
    assert as_json(layer.get_config())[key] == config[key]


def test_unsupported_keras_argument_with_non_default_value_is_rejected():
    config = as_json(L.Dense(2, name="d").get_config())
    config["lora_rank"] = 4
    with pytest.raises(ValueError, match="does not support the argument `lora_rank`"):
        L.Dense.from_config(config)


class Scale(L.Layer):
    """A custom layer without get_config: Keras's automatic config saves its arguments."""

    def __init__(self, factor, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.factor, self.offset = factor, offset

    def call(self, x):
        return x * self.factor + np.asarray(self.offset, "float32")


def test_custom_layer_automatic_config_round_trip():
    layer = Scale(2.0, offset=[1.0, 2.0], name="scale")
    config = as_json(layer.get_config())
    assert {k: config[k] for k in ("name", "factor", "offset", "trainable")} == {
        "name": "scale", "factor": 2.0, "offset": [1.0, 2.0], "trainable": True}
    clone = deserialize_keras_object(as_json(layer), custom_objects={"Scale": Scale})
    np.testing.assert_allclose(np.asarray(clone(np.ones((1, 2), "float32"))), [[3.0, 4.0]])


def test_custom_layer_with_non_plain_arguments_must_define_get_config():
    with pytest.raises(TypeError, match="must override `get_config\(\)`"):
        Scale(np.ones(2)).get_config()


def test_custom_layer_config_missing_an_argument_fails_with_guidance():
    class Partial(Scale):
        def get_config(self):
            return super().get_config()  # forgets factor

    with pytest.raises(TypeError, match="get_config"):
        Partial.from_config(Partial(2.0).get_config())

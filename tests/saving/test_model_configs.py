"""Sequential / functional / subclassed model configs (Keras 3's format) and compile configs."""
import json

import numpy as np
import pytest

import jkeras
from jkeras import layers


def _json_round_trip(config):
    return json.loads(json.dumps(config))


def _copy_weights(src, dst):
    dst.set_weights(src.get_weights())


def _multi_io_model():
    """Two inputs, three outputs, a shared layer, a nested Sequential and a nested functional."""
    a = jkeras.Input((4,), name="a")
    b = jkeras.Input((2,), name="b")
    shared = layers.Dense(2, name="shared")
    x = layers.Concatenate()([shared(layers.Dense(2)(a)), shared(b)])
    inner_seq = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3)], name="inner_seq")
    i = jkeras.Input((4,))
    inner_fn = jkeras.Model(i, layers.Dense(5, activation="tanh")(i), name="inner_fn")
    outputs = [inner_seq(x), inner_fn(x), layers.Dense(1, name="o2")(x)]
    return jkeras.Model([a, b], outputs, name="multi")


def _inputs():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(5, 2)).astype("float32")]


def test_sequential_config_has_keras_keys_and_round_trips():
    m = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3, activation="relu"),
                           layers.Dense(1)], name="seq")
    config = m.get_config()
    assert config["name"] == "seq" and config["trainable"] is True
    assert config["build_input_shape"] == [None, 4]
    assert [c["class_name"] for c in config["layers"]] == ["InputLayer", "Dense", "Dense"]
    assert config["layers"][1]["build_config"] == {"input_shape": (None, 4)} or \
        config["layers"][1]["build_config"]["input_shape"] in ([None, 4], (None, 4))
    clone = jkeras.Sequential.from_config(_json_round_trip(config))
    assert clone.built and [lay.name for lay in clone.layers] == ["dense", "dense_1"]
    _copy_weights(m, clone)
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(clone(x), m(x), rtol=1e-6)


def test_sequential_without_input_builds_from_build_input_shape():
    m = jkeras.Sequential([layers.Dense(2)])
    m.build((None, 3))
    clone = jkeras.Sequential.from_config(_json_round_trip(m.get_config()))
    assert clone.built and clone.count_params() == m.count_params() == 8


def test_sequential_from_config_rejects_configs_without_layers():
    with pytest.raises(ValueError, match="'name' and 'layers'"):
        jkeras.Sequential.from_config({"trainable": True})


def test_functional_config_records_nodes_as_keras():
    config = _multi_io_model().get_config()
    by_name = {c["name"]: c for c in config["layers"]}
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    # A nested functional model has a construction node in Keras: its outputs are node 1.
    assert config["output_layers"] == [["inner_seq", 0, 0], ["inner_fn", 1, 0], ["o2", 0, 0]]
    assert by_name["a"]["inbound_nodes"] == []
    shared_nodes = by_name["shared"]["inbound_nodes"]
    assert len(shared_nodes) == 2
    assert shared_nodes[1]["args"][0] == {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 2], "dtype": "float32", "keras_history": ["b", 0, 0]}}
    concat_args = by_name["concatenate"]["inbound_nodes"][0]["args"][0]
    assert [t["config"]["keras_history"] for t in concat_args] == [["shared", 0, 0],
                                                                  ["shared", 1, 0]]
    assert by_name["inner_fn"]["class_name"] == "Functional"
    assert by_name["inner_seq"]["class_name"] == "Sequential"


def test_functional_round_trip_same_graph_and_outputs():
    m = _multi_io_model()
    clone = jkeras.Model.from_config(_json_round_trip(m.get_config()))
    assert type(clone).__name__ == "Functional" and clone.name == "multi"
    assert sorted(lay.name for lay in clone.layers) == sorted(lay.name for lay in m.layers)
    assert len(clone.get_layer("shared")._inbound_nodes) == 2
    _copy_weights(m, clone)
    for got, want in zip(clone(_inputs()), m(_inputs())):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert _json_round_trip(clone.get_config()) == _json_round_trip(m.get_config())


def test_only_nodes_of_this_model_are_counted():
    """A layer also called outside the model keeps Keras's re-indexed node numbers."""
    shared = layers.Dense(2, name="reused")
    other = jkeras.Input((2,))
    shared(other)  # node 0 belongs to no model below
    x = jkeras.Input((2,), name="x")
    m = jkeras.Model(x, layers.Dense(1, name="head")(shared(x)))
    config = m.get_config()
    head = next(c for c in config["layers"] if c["name"] == "head")
    assert head["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["reused", 0, 0]
    clone = jkeras.Model.from_config(_json_round_trip(config))
    _copy_weights(m, clone)
    np.testing.assert_allclose(clone(np.ones((1, 2))), m(np.ones((1, 2))), rtol=1e-6)


def test_dict_inputs_and_outputs_round_trip():
    a, b = jkeras.Input((3,), name="a"), jkeras.Input((3,), name="b")
    added = layers.Add()([a, b])
    m = jkeras.Model({"a": a, "b": b}, {"sum": layers.Dense(2)(added), "raw": added})
    config = m.get_config()
    assert config["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    clone = jkeras.Model.from_config(_json_round_trip(config))
    _copy_weights(m, clone)
    feed = {"a": np.ones((2, 3)), "b": np.full((2, 3), 2.0)}
    got, want = clone(feed), m(feed)
    assert set(got) == {"sum", "raw"}
    np.testing.assert_allclose(got["sum"], want["sum"], rtol=1e-6)


class _Scaled(jkeras.Model):
    def __init__(self, units=3, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x) * self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


def test_subclassed_model_from_config_calls_the_constructor():
    m = _Scaled(units=4, scale=0.5, name="scaled")
    m(np.ones((2, 3), "float32"))
    config = _json_round_trip(m.get_config())
    assert config["units"] == 4 and config["scale"] == 0.5 and config["name"] == "scaled"
    clone = _Scaled.from_config(config)
    assert isinstance(clone, _Scaled) and clone.units == 4 and clone.name == "scaled"
    assert m.get_build_config()["input_shape"][-1] == 3


def test_subclassed_model_without_its_arguments_in_config_says_so():
    class NeedsArg(jkeras.Model):
        def __init__(self, width, **kwargs):
            super().__init__(**kwargs)
            self.width = width

        def call(self, x):
            return x

    with pytest.raises(TypeError, match="Unable to revive model from config"):
        NeedsArg.from_config({"name": "n"})


def test_compile_config_is_keras_format_and_recompiles():
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    assert m.get_compile_config() == {}
    m.compile(optimizer=jkeras.optimizers.Adam(learning_rate=0.01), loss="mse",
              metrics=["mae", jkeras.metrics.MeanSquaredError()])
    config = _json_round_trip(m.get_compile_config())
    assert config["optimizer"]["class_name"] == "Adam"
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    assert config["loss"] == "mse" and config["metrics"][0] == "mae"
    assert config["metrics"][1]["class_name"] == "MeanSquaredError"
    assert config["steps_per_execution"] == 1 and config["jit_compile"] is True
    other = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    other.compile_from_config(config)
    assert other.compiled and isinstance(other.optimizer, jkeras.optimizers.Adam)
    assert other.optimizer.get_config() == m.optimizer.get_config() | {
        "name": other.optimizer.name}
    assert other.steps_per_execution == "auto" and not other.run_eagerly
    # The optimizer state exists at once (Keras's optimizer.build), so saved slots can load.
    assert other.engine.opt_state is not None


def test_compile_config_rejects_unknown_keys():
    m = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="Unknown keys"):
        m.compile_from_config({"optimizer": "sgd", "loss": "mse", "bogus": 1})


class _AutoConfigured(jkeras.Model):
    """No get_config(): Keras's automatic config records the plain constructor arguments."""

    def __init__(self, units=4, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation=activation)

    def call(self, x):
        return self.hidden(x)


def test_subclassed_model_without_get_config_uses_its_constructor_arguments(tmp_path):
    m = _AutoConfigured(units=6, activation="tanh", name="auto")
    x = np.ones((2, 3), "float32")
    m(x)
    config = m.get_config()
    assert config["units"] == 6 and config["activation"] == "tanh" and config["name"] == "auto"
    m.save(tmp_path / "auto.keras")
    loaded = jkeras.models.load_model(tmp_path / "auto.keras",
                                      custom_objects={"_AutoConfigured": _AutoConfigured})
    assert loaded.units == 6
    np.testing.assert_allclose(loaded(x), m(x), rtol=1e-6)


def test_subclassed_model_with_object_arguments_must_write_get_config():
    class Wraps(jkeras.Model):
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

        def call(self, x):
            return self.inner(x)

    m = Wraps(layers.Dense(2))
    m(np.ones((1, 3), "float32"))
    with pytest.raises(TypeError, match="must override `get_config\\(\\)`"):
        m.get_config()

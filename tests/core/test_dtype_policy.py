"""Dtype policy objects against Keras 3's: names, dtypes, equality, get / serialize /
deserialize, DTypePolicyMap lookups, the global policy, and Keras's errors."""
import keras
import numpy as np
import pytest

import jkeras
from jkeras import dtype_policies as ours

theirs = keras.dtype_policies


@pytest.fixture(autouse=True)
def _keras_session():
    # conftest clears jkeras's session (and so its global policy); this test reads keras directly.
    keras.utils.clear_session()


def error_of(fn, *args):
    with pytest.raises(Exception) as info:
        fn(*args)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("name", ["float32", "float16", "bfloat16", "mixed_float16",
                                  "mixed_bfloat16", "int32", "float64"])
def test_policy_dtypes_match_keras(name):
    for cls in ("DTypePolicy", "FloatDTypePolicy"):
        p, q = getattr(ours, cls)(name), getattr(theirs, cls)(name)
        assert (p.name, p.compute_dtype, p.variable_dtype, p.quantization_mode) == \
            (q.name, q.compute_dtype, q.variable_dtype, q.quantization_mode)
        assert repr(p) == repr(q)
        assert ours.serialize(p) == theirs.serialize(q)
        assert p.get_config() == q.get_config()


def test_equality_as_keras():
    assert ours.DTypePolicy("float16") == ours.FloatDTypePolicy("float16")
    assert ours.DTypePolicy("float16") != ours.DTypePolicy("mixed_float16")
    assert ours.DTypePolicy("float32") != "float32"


@pytest.mark.parametrize("identifier", [
    None, "mixed_bfloat16", "float16", np.float32, "int8",
    {"class_name": "DTypePolicy", "config": {"name": "bfloat16"}},
    {"module": "keras", "class_name": "FloatDTypePolicy", "config": {"name": "float16"},
     "registered_name": None}])
def test_get_matches_keras(identifier):
    if identifier == "int8":
        identifier = "int32"  # a plain integer dtype; "int8" names would be quantized modes
    p, q = ours.get(identifier), theirs.get(identifier)
    assert (type(p).__name__, p.name, p.compute_dtype, p.variable_dtype) == \
        (type(q).__name__, q.name, q.compute_dtype, q.variable_dtype)


def test_get_returns_the_policy_given_and_the_global_one():
    policy = ours.DTypePolicy("bfloat16")
    assert ours.get(policy) is policy
    assert ours.get(None) is jkeras.config.dtype_policy()


@pytest.mark.parametrize("fn, arg", [
    ("get", "mixed_float17"), ("get", 3), ("DTypePolicy", 3), ("DTypePolicy", "float17")])
def test_errors_match_keras(fn, arg):
    assert error_of(getattr(ours, fn), arg) == error_of(getattr(theirs, fn), arg)


def test_set_dtype_policy_errors_match_keras():
    assert error_of(jkeras.config.set_dtype_policy, 3) == \
        error_of(keras.config.set_dtype_policy, 3)
    assert error_of(jkeras.config.set_dtype_policy, "foo") == \
        error_of(keras.config.set_dtype_policy, "foo")


def test_unsupported_quantized_policies_are_refused_clearly():
    # int8 policies are supported (tests/layers/test_quantize_int8.py); float8 / gptq are not.
    with pytest.raises(ValueError, match=r"supports the quantized dtype policies of modes"):
        ours.get("float8_from_float32")
    config = theirs.serialize(theirs.get("float8_from_mixed_bfloat16"))
    with pytest.raises(ValueError, match=r"supports the quantized dtype policies of modes"):
        ours.deserialize(config)


def test_deserialize_round_trips_keras_configs():
    for policy in (theirs.DTypePolicy("mixed_float16"), theirs.FloatDTypePolicy("bfloat16")):
        config = theirs.serialize(policy)
        again = ours.deserialize(config)
        assert type(again).__name__ == type(policy).__name__ and again.name == policy.name
        assert ours.serialize(again) == config


def test_global_policy_follows_keras():
    assert repr(jkeras.config.dtype_policy()) == repr(keras.config.dtype_policy())
    for name in ("mixed_bfloat16", ours.DTypePolicy("mixed_float16")):
        jkeras.config.set_dtype_policy(name)
        keras.config.set_dtype_policy(name if isinstance(name, str) else name.name)
        assert repr(jkeras.config.dtype_policy()) == repr(keras.config.dtype_policy())
        assert ours.DTypePolicy().name == theirs.DTypePolicy().name  # None: the global name


def test_global_policy_defaults_to_floatx_and_clear_session_forgets_it():
    jkeras.config.set_dtype_policy("mixed_bfloat16")
    jkeras.config.set_floatx("float16")
    try:
        jkeras.utils.clear_session()
        assert jkeras.config.dtype_policy().name == "float16"
    finally:
        jkeras.config.set_floatx("float32")
        jkeras.utils.clear_session()
    assert jkeras.config.dtype_policy().name == "float32"


def make_maps(lib):
    m = lib.DTypePolicyMap(default_policy="float32")
    m["encoder/layer_0/dense"] = lib.DTypePolicy("bfloat16")
    m["encoder/.*"] = "float16"
    m["decoder"] = lib.DTypePolicy("bfloat16")
    return m


def test_policy_map_lookups_match_keras():
    p, q = make_maps(ours), make_maps(theirs)
    for key in ("encoder/layer_0/dense", "encoder/attention/query", "decoder",
                "decoder/attention", "other"):
        assert p[key].name == q[key].name
    assert (p.name, p.compute_dtype, p.variable_dtype, len(p), list(p)) == \
        (q.name, q.compute_dtype, q.variable_dtype, len(q), list(q))
    assert "decoder" in p and "nothing" not in p
    p["encoder/attention/.*"] = "bfloat16"
    q["encoder/attention/.*"] = "bfloat16"
    assert error_of(p.__getitem__, "encoder/attention/query") == \
        error_of(q.__getitem__, "encoder/attention/query")
    assert error_of(p.__setitem__, "decoder", "float16")[1] == \
        error_of(q.__setitem__, "decoder", "float16")[1]
    del p["decoder"]
    assert p["decoder"].name == "float32"


def test_policy_map_errors_and_config_match_keras():
    assert error_of(ours.DTypePolicyMap, ours.DTypePolicyMap()) == \
        error_of(theirs.DTypePolicyMap, theirs.DTypePolicyMap())
    assert error_of(ours.DTypePolicyMap, None, [1])[1] == \
        error_of(theirs.DTypePolicyMap, None, [1])[1]
    p, q = make_maps(ours), make_maps(theirs)
    assert ours.serialize(p) == theirs.serialize(q)
    again = ours.deserialize(theirs.serialize(q))
    assert isinstance(again, ours.DTypePolicyMap)
    assert [(k, again[k].name) for k in again] == [(k, q[k].name) for k in q]
    anonymous = ours.DTypePolicyMap()
    anonymous["a"] = "bfloat16"
    keras_anonymous = theirs.DTypePolicyMap()
    keras_anonymous["a"] = "bfloat16"
    assert ours.serialize(anonymous) == theirs.serialize(keras_anonymous)
    assert anonymous["a"].name == "bfloat16"  # serializing does not change the map


def test_layer_with_a_policy_map_uses_its_entry():
    policy_map = ours.DTypePolicyMap(default_policy="float32")
    policy_map["half"] = "mixed_bfloat16"
    half = jkeras.layers.Dense(2, name="half", dtype=policy_map)
    full = jkeras.layers.Dense(2, name="full", dtype=policy_map)
    assert (half.dtype, half.compute_dtype) == ("float32", "bfloat16")
    assert (full.dtype, full.compute_dtype) == ("float32", "float32")
    assert half(np.ones((1, 3), "float32")).dtype == np.dtype("bfloat16")
    half.dtype_policy = "float16"  # a map holder updates its own entry
    assert policy_map["half"].name == "float16" and half.compute_dtype == "float16"

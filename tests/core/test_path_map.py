"""PathMap: the lookup shared by LayoutMap, DTypePolicyMap and OptimizerMap."""
import pytest

from jkeras.core.path_map import PathMap


class _Defaulting(PathMap):
    def _missing(self, path):
        return "default"


def test_exact_key_wins_over_regex_matches():
    m = PathMap({"dense/kernel": 1, "dense/.*": 2, ".*kernel": 3})
    assert m["dense/kernel"] == 1


def test_regex_must_match_the_whole_path():
    m = _Defaulting({"dense/.*": 2})
    assert m["dense/bias"] == 2
    assert m["my_dense/bias"] == "default"  # fullmatch, not search


def test_two_matching_keys_are_an_error():
    m = PathMap({"dense/.*": 2, ".*bias": 3})
    with pytest.raises(ValueError, match="matches multiple keys"):
        m["dense/bias"]


def test_setting_a_key_twice_is_an_error_and_contains_asks_for_the_key():
    m = PathMap()
    m["dense/.*"] = 1
    with pytest.raises(ValueError, match="already exist in the PathMap"):
        m["dense/.*"] = 2
    assert "dense/.*" in m and "dense/kernel" not in m
    del m["dense/.*"]
    assert len(m) == 0 and m["dense/kernel"] is None

"""jkeras.tree against keras.tree (optree with None as a leaf) on nested structures."""
import collections

import numpy as np
import pytest

from jkeras import tree

Point = collections.namedtuple("Point", ["x", "y"])


def structures():
    return [
        {"b": [1, None, (2, 3)], "a": None},
        [1, (2, [3, {"z": 4, "y": 5}]), Point(6, None)],
        collections.OrderedDict([("z", 1), ("a", (2, 3))]),
        None, 5, "text", (), [np.zeros(2), {"k": ()}],
    ]


def test_flatten_pack_and_paths_match_keras(tf):
    kt = tf.keras.tree
    for s in structures():
        assert tree.flatten(s) == kt.flatten(s) or all(
            a is b for a, b in zip(tree.flatten(s), kt.flatten(s)))
        assert tree.is_nested(s) == kt.is_nested(s)
        assert [p for p, _ in tree.flatten_with_path(s)] == [p for p, _ in kt.flatten_with_path(s)]
        flat = list(range(len(kt.flatten(s))))
        assert tree.pack_sequence_as(s, flat) == kt.pack_sequence_as(s, flat)
        assert tree.lists_to_tuples(s) == kt.lists_to_tuples(s) or isinstance(s, list)


def test_map_structure_and_traverse_match_keras(tf):
    kt = tf.keras.tree
    s = {"b": [1, None, (2, 3)], "a": None}
    fn = lambda v: None if v is None else v * 10  # noqa: E731
    assert tree.map_structure(fn, s) == kt.map_structure(fn, s)
    assert tree.map_structure(lambda a, b: (a, b), s, s) == kt.map_structure(lambda a, b: (a, b), s, s)
    assert tree.map_structure_up_to({"a": 0, "b": 0}, len, {"a": [1, 2], "b": (3,)}) == \
        kt.map_structure_up_to({"a": 0, "b": 0}, len, {"a": [1, 2], "b": (3,)})
    cut = lambda x: tree.MAP_TO_NONE if x == (2, 3) else None  # noqa: E731
    kcut = lambda x: kt.MAP_TO_NONE if x == (2, 3) else None  # noqa: E731
    assert tree.traverse(cut, s) == kt.traverse(kcut, s)
    grow = lambda x: x + 1 if isinstance(x, int) else None  # noqa: E731
    assert tree.traverse(grow, s, top_down=False) == kt.traverse(grow, s, top_down=False)
    shapes = {"a": (2, None), "b": [(3,), (1, 2)]}
    assert tree.map_shape_structure(len, shapes) == kt.map_shape_structure(len, shapes)


def test_structure_assertions(tf):
    kt = tf.keras.tree
    tree.assert_same_structure([(0, 1)], [(2, 3)])
    for a, b in [([0, 1], (0, 1)), (Point(0, 1), (0, 1)), ({"a": 1}, {"b": 1}), ([1], [1, 2])]:
        with pytest.raises(ValueError):
            kt.assert_same_structure(a, b)
        with pytest.raises(ValueError):
            tree.assert_same_structure(a, b)
    tree.assert_same_paths([0, 1], (2, 3))
    with pytest.raises(ValueError, match="don't have the same paths"):
        tree.assert_same_paths([0, 1], [0])
    with pytest.raises(ValueError, match="same nested structure"):
        tree.map_structure(lambda a, b: a, [1, 2], [1, [2]])
    with pytest.raises(ValueError, match="Must provide at least one structure"):
        tree.map_structure(len)
    with pytest.raises(ValueError):
        tree.pack_sequence_as([1, 2], [1])

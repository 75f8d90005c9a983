"""`keras.tree` on `jax.tree_util`: nested structures with Keras's conventions.

As in Keras, `None` is a leaf (jax.tree_util treats it as an empty node), dict keys flatten in
sorted order (OrderedDict in insertion order), and strings are leaves.
"""
import warnings

import jax

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"]

_tu = jax.tree_util


class MAP_TO_NONE:
    """Special value for `traverse`: makes `func` map a substructure to `None`."""


def _is_none(x):
    return x is None


def _leaf_or_none(x):
    if x is None:
        return True
    leaves = _tu.tree_leaves(x, is_leaf=lambda y: y is not x)
    return len(leaves) == 1 and leaves[0] is x


def _flatten(structure, none_is_leaf=True):
    return _tu.tree_flatten(structure, is_leaf=_is_none if none_is_leaf else None)


def is_nested(structure):
    """True for lists, tuples, dicts, namedtuples and other registered containers."""
    return not _leaf_or_none(structure)


def flatten(structure):
    """The leaves of `structure` in Keras's order (`None` counts as a leaf)."""
    return _flatten(structure)[0]


def _paths(structure, prefix):
    if _leaf_or_none(structure):
        yield prefix, structure
        return
    children = _tu.tree_flatten_with_path(structure, is_leaf=lambda x: x is not structure)[0]
    for i, (path, child) in enumerate(children):
        key = path[0]
        # dict keys and sequence indices as Keras (optree) gives them; namedtuple fields and
        # other registered nodes by position
        key = key.key if isinstance(key, _tu.DictKey) else (
            key.idx if isinstance(key, _tu.SequenceKey) else i)
        yield from _paths(child, prefix + (key,))


def flatten_with_path(structure):
    """`[(path, leaf), ...]`, each path a tuple of list indices and dict keys."""
    return list(_paths(structure, ()))


def _same_structure_error():
    return ValueError("Structures don't have the same nested structure.")


def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied leaf-wise over structures of the same nesting."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    is_leaf = _is_none if none_is_leaf else None
    first = _tu.tree_structure(structures[0], is_leaf=is_leaf)
    for other in structures[1:]:
        if _tu.tree_structure(other, is_leaf=is_leaf) != first:
            raise _same_structure_error()
    return _tu.tree_map(func, *structures, is_leaf=is_leaf)


def map_structure_up_to(shallow_structure, func, *structures):
    """Apply `func` to the sub-structures of `structures` at the leaves of `shallow_structure`."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    shallow = _tu.tree_structure(shallow_structure, is_leaf=_is_none)
    flats = []
    for s in structures:
        try:
            flats.append(shallow.flatten_up_to(s))
        except (ValueError, TypeError) as e:
            raise _same_structure_error() from e
    return _tu.tree_unflatten(shallow, [func(*leaves) for leaves in zip(*flats)])


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError unless `a` and `b` nest the same way (leaves may differ)."""
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect, "
                      "please remove.", DeprecationWarning, stacklevel=2)
    if _tu.tree_structure(a, is_leaf=_is_none) != _tu.tree_structure(b, is_leaf=_is_none):
        raise _same_structure_error()


def assert_same_paths(a, b):
    """Raise ValueError unless `a` and `b` have the same leaf paths (container types may differ)."""
    a_paths = {p for p, _ in flatten_with_path(a)}
    b_paths = {p for p, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        msg = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            msg += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            msg += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(msg)


def pack_sequence_as(structure, flat_sequence):
    """The leaves of `flat_sequence` arranged as `structure`."""
    treedef = _flatten(structure)[1]
    flat_sequence = list(flat_sequence)
    if len(flat_sequence) != treedef.num_leaves:
        raise ValueError(
            "The target structure is of type `{}`\n  {}\nHowever the input is a sequence "
            "of type `{}` and length {}.\n  {}".format(type(structure), structure,
                                                     type(flat_sequence), len(flat_sequence),
                                                     flat_sequence))
    return _tu.tree_unflatten(treedef, flat_sequence)


def traverse(func, structure, top_down=True):
    """Visit every node (top-down or bottom-up); a non-None result of `func` replaces the node.

    `MAP_TO_NONE` as the result replaces the node with `None`.
    """
    def children():
        if _leaf_or_none(structure):
            return structure
        kids, treedef = _tu.tree_flatten(structure, is_leaf=lambda x: x is not structure)
        return _tu.tree_unflatten(treedef, [traverse(func, c, top_down) for c in kids])

    if top_down:
        ret = func(structure)
        if ret is None:
            return children()
    else:
        structure = children()
        ret = func(structure)
        if ret is None:
            return structure
    if ret is MAP_TO_NONE:
        return None
    return ret


def lists_to_tuples(structure):
    """The structure with every list turned into a tuple."""
    return traverse(lambda x: tuple(x) if isinstance(x, list) else None, structure,
                    top_down=False)


def map_shape_structure(func, structure):
    """`map_structure` where tuples/lists of ints and Nones are leaves (shapes)."""
    def is_shape(x):
        return x is None or (isinstance(x, (list, tuple))
                             and all(isinstance(e, (int, type(None))) for e in x))
    return _tu.tree_map(func, structure, is_leaf=is_shape)

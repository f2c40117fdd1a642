"""Nested structures: lists, tuples and dicts of values (``tf.nest``, Keras 3's
``keras.tree``; :mod:`saessak.compat.nest` gives them those names). Plain Python, so every
part of saessak may use it.

A structure is a list, tuple, namedtuple or dict whose members may be structures again;
anything else (an array, a Tensor, a number, None) is a leaf. Dicts are walked in the order
of their sorted keys, as TensorFlow does, so ``flatten`` and ``pack_sequence_as`` agree for
any dict.
"""

from __future__ import annotations


def is_nested(structure) -> bool:
    """True for a list, tuple or dict (which may hold further structures)."""
    return isinstance(structure, (list, tuple, dict))


def _members(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def _rebuild(like, members):
    """A structure of the same kind as ``like`` holding ``members`` (in its own order)."""
    if isinstance(like, dict):
        by_key = dict(zip(sorted(like), members))
        return type(like)((k, by_key[k]) for k in like)
    if isinstance(like, tuple) and hasattr(like, "_fields"):  # a namedtuple
        return type(like)(*members)
    return type(like)(members)


def flatten(structure, expand_composites=False) -> list:
    """The leaves of ``structure``, depth first: ``flatten([1, (2, {"b": 3, "a": 4})])``
    is ``[1, 2, 4, 3]``; a leaf alone gives ``[leaf]``."""
    if not is_nested(structure):
        return [structure]
    return [leaf for member in _members(structure) for leaf in flatten(member)]


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """The leaves ``flat_sequence`` put back into the shape of ``structure``."""
    flat_sequence = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat_sequence):
        raise ValueError(f"pack_sequence_as: the structure has {count} leaves, but "
                         f"flat_sequence has {len(flat_sequence)}")
    leaves = iter(flat_sequence)

    def pack(like):
        if not is_nested(like):
            return next(leaves)
        return _rebuild(like, [pack(member) for member in _members(like)])

    return pack(structure)


def assert_same_structure(first, second, check_types=True, expand_composites=False):
    """Raise ValueError (or TypeError, for kinds that differ) unless both have the same
    nesting: the same kinds of containers, lengths and dict keys."""
    if is_nested(first) != is_nested(second):
        raise ValueError(f"assert_same_structure: {first!r} and {second!r} do not have the "
                         "same nested structure")
    if not is_nested(first):
        return
    if check_types and type(first) is not type(second):
        raise TypeError(f"assert_same_structure: {type(first).__name__} against "
                        f"{type(second).__name__}")
    if isinstance(first, dict) and sorted(first) != sorted(second):
        raise ValueError(f"assert_same_structure: dict keys {sorted(first)} against "
                         f"{sorted(second)}")
    if len(first) != len(second):
        raise ValueError(f"assert_same_structure: lengths {len(first)} and {len(second)}")
    for a, b in zip(_members(first), _members(second)):
        assert_same_structure(a, b, check_types)


def map_structure(func, *structures, **kwargs):
    """``func`` on the matching leaves of one or more structures of the same shape, in a
    structure of that shape: ``map_structure(lambda a, b: a + b, [1, 2], [3, 4])``."""
    if not structures:
        raise ValueError("map_structure: give at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other, kwargs.get("check_types", True))
    leaves = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*args) for args in zip(*leaves)])

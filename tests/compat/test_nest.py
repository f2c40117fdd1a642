"""``tf.nest`` and ``keras.tree``: TensorFlow's rules for nested structures."""

import collections

import pytest

import saessak as tf

Point = collections.namedtuple("Point", "x y")


def test_flatten_walks_depth_first_with_dict_keys_sorted():
    structure = [1, (2, {"b": 3, "a": [4, None]}), Point(5, 6)]
    assert tf.nest.flatten(structure) == [1, 2, 4, None, 3, 5, 6]
    assert tf.nest.flatten(7) == [7] and tf.nest.flatten(None) == [None]
    assert tf.keras.tree.flatten((1, [2])) == [1, 2]


def test_pack_sequence_as_inverts_flatten():
    structure = {"z": Point(1, (2, 3)), "a": [4]}
    packed = tf.nest.pack_sequence_as(structure, [10, 20, 30, 40])
    # dict members in sorted-key order: "a" first, then "z"
    assert packed == {"z": Point(20, (30, 40)), "a": [10]}
    assert type(packed["z"]) is Point and list(packed) == ["z", "a"]  # the dict keeps its order
    with pytest.raises(ValueError, match="has 4 leaves, but flat_sequence has 3"):
        tf.nest.pack_sequence_as(structure, [1, 2, 3])


def test_map_structure_over_several_structures():
    a = {"w": [1, 2], "b": 3}
    b = {"w": [10, 20], "b": 30}
    assert tf.nest.map_structure(lambda x, y: x + y, a, b) == {"w": [11, 22], "b": 33}
    with pytest.raises(ValueError, match="lengths 2 and 3"):
        tf.nest.map_structure(lambda x, y: x, [1, 2], [1, 2, 3])
    with pytest.raises(TypeError, match="list against tuple"):
        tf.nest.assert_same_structure([1, 2], (1, 2))
    tf.nest.assert_same_structure([1, 2], (1, 2), check_types=False)
    assert tf.nest.is_nested([1]) and not tf.nest.is_nested("ab")

"""``tf.nest`` and Keras 3's ``keras.tree``: the nested-structure functions of
:mod:`saessak._nest` under TensorFlow's and Keras's names."""

from __future__ import annotations

from .._nest import assert_same_structure, flatten, is_nested, map_structure, pack_sequence_as
from ._namespace import Namespace

nest = Namespace(
    "tf.nest", "tf.nest / keras.tree: nested lists, tuples and dicts",
    flatten=flatten, pack_sequence_as=pack_sequence_as, map_structure=map_structure,
    is_nested=is_nested, assert_same_structure=assert_same_structure)
tree = Namespace(
    "keras.tree", "keras.tree: nested lists, tuples and dicts (tf.nest under Keras 3's name)",
    flatten=flatten, pack_sequence_as=pack_sequence_as, map_structure=map_structure,
    is_nested=is_nested, assert_same_structure=assert_same_structure)

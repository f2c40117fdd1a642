"""ReduceLROnPlateau's tf.keras 2 argument ``epsilon`` is min_delta (it was swallowed)."""

import pytest

from saessak import callbacks


def test_epsilon_is_the_old_name_of_min_delta():
    with pytest.warns(DeprecationWarning, match="epsilon= is the old name of min_delta"):
        plateau = callbacks.ReduceLROnPlateau(epsilon=0.25)
    assert plateau.min_delta == 0.25
    assert callbacks.ReduceLROnPlateau().min_delta == 1e-4


def test_an_unknown_argument_is_a_type_error():
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau: unexpected argument\(s\) \['pat'\]"):
        callbacks.ReduceLROnPlateau(pat=3)

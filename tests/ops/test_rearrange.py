"""``keras.ops.rearrange`` (einops patterns) against the reshapes and transposes it
stands for (the split-and-tile case was checked equal to Keras 3.15's by hand), its
gradient, and its errors."""

import numpy as np
import pytest

from saessak import grad_check, ops

X = np.arange(2 * 4 * 6 * 3, dtype=np.float32).reshape(2, 4, 6, 3)


@pytest.mark.parametrize("pattern,reference", [
    ("b h w c -> b c h w", lambda x: x.transpose(0, 3, 1, 2)),
    ("b h w c -> (b h) w c", lambda x: x.reshape(8, 6, 3)),
    ("b h w c -> h (b w) c", lambda x: x.transpose(1, 0, 2, 3).reshape(4, 12, 3)),
    ("b h w c -> b (c h w)", lambda x: x.transpose(0, 3, 1, 2).reshape(2, 72)),
])
def test_patterns(pattern, reference):
    np.testing.assert_array_equal(ops.rearrange(X, pattern).numpy(), reference(X))


def test_split_axes_into_tiles():
    got = ops.rearrange(X, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=2, w1=3).numpy()
    expected = X.reshape(2, 2, 2, 3, 2, 3).transpose(0, 1, 3, 2, 4, 5).reshape(12, 2, 2, 3)
    np.testing.assert_array_equal(got, expected)
    result = grad_check(lambda t: ops.rearrange(t, "b (h1 h) w c -> h (b h1) (c w)", h=2),
                        np.random.default_rng(0).normal(size=(2, 4, 3, 2)))
    assert result.ok, result


def test_errors_name_the_pattern():
    with pytest.raises(ValueError, match="needs one '->'"):
        ops.rearrange(X, "b h w c")
    with pytest.raises(ValueError, match="same axes"):
        ops.rearrange(X, "b h w c -> b h w")
    with pytest.raises(ValueError, match="names 3 axes, the tensor has 4"):
        ops.rearrange(X, "b h w -> b w h")
    with pytest.raises(ValueError, match=r"cannot split an axis of 4 into \['h1', 'h'\]"):
        ops.rearrange(X, "b (h1 h) w c -> b h1 h w c")
    with pytest.raises(ValueError, match="unbalanced"):
        ops.rearrange(X, "b (h w c -> b h w c")

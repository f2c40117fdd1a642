"""RandomContrast and RandomBrightness: random colour adjustments, in training only.

Each image gets its own draw. Outputs are clipped to ``value_range`` ((0, 255) by default,
as Keras 3; pass ``value_range=(0, 1)`` for images scaled to [0, 1]).
"""

from __future__ import annotations

from ... import backend, ops
from .image_augmentation import _Augmentation


def _factor(owner, factor, low_bound):
    """``f -> (f, f)`` and ``(lower, upper)`` kept, each in [low_bound, 1]."""
    pair = (factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    if len(pair) != 2 or not all(isinstance(v, (int, float)) for v in pair):
        raise ValueError(f"{owner}: factor must be a number or a (lower, upper) pair, "
                         f"received {factor!r}")
    if not all(low_bound <= abs(v) <= 1 for v in pair):
        raise ValueError(f"{owner}: factor must lie in [0, 1], received {factor!r}")
    return tuple(abs(float(v)) for v in pair)


def _value_range(owner, value_range):
    if not isinstance(value_range, (list, tuple)) or len(value_range) != 2:
        raise ValueError(f"{owner}: value_range must be a (low, high) pair, received "
                         f"{value_range!r}")
    return tuple(sorted(float(v) for v in value_range))


class _ColorAugmentation(_Augmentation):
    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        owner = type(self).__name__
        self.factor = _factor(owner, factor, 0)
        self.value_range = _value_range(owner, value_range)

    def _draw(self, n, low, high, dtype):
        """One number per image, shaped (n, 1, 1, 1) to broadcast over its pixels."""
        values = self._rng.uniform(low, high, size=(n, 1, 1, 1)).astype(dtype)
        return backend.asarray(values)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomContrast(_ColorAugmentation):
    """Each image's distance from its own mean (per channel) scaled by a factor drawn from
    ``[1 - lower, 1 + upper]``: ``(x - mean) * c + mean``. ``factor=0.2`` draws c in
    [0.8, 1.2]."""

    def _augment(self, x):
        lower, upper = self.factor
        c = self._draw(x.shape[0], 1.0 - lower, 1.0 + upper, x.dtype)
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        return ops.clip((x - mean) * c + mean, *self.value_range)


class RandomBrightness(_ColorAugmentation):
    """Each image shifted by a delta drawn from ``[-lower, upper]`` times the width of
    ``value_range``: ``factor=0.2`` on (0, 255) adds up to +-51, then clips."""

    def _augment(self, x):
        lower, upper = self.factor
        span = self.value_range[1] - self.value_range[0]
        delta = self._draw(x.shape[0], -lower * span, upper * span, x.dtype)
        return ops.clip(x + delta, *self.value_range)

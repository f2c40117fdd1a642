"""RandomHeight and RandomWidth: in training, resize the images' height (or width) by a
random factor, one factor for the whole batch, as Keras draws it; outside training the
images pass through unchanged.

``factor`` 0.2 draws the factor from [0.8, 1.2]; ``(low, high)`` from [1 + low, 1 + high].
The new size is ``int(factor * size)`` (at least 1 pixel), so the layer's output has an
unknown height (or width) in a model's summary, as in Keras.
"""

from __future__ import annotations

from ...ops import cast
from ...ops.image import resize
from .image_augmentation import _Augmentation, _factor_range

INTERPOLATIONS = ("bilinear", "nearest")


class _RandomSize(_Augmentation):
    AXIS = None  # 1 for the height, 2 for the width (in (batch, h, w, c))

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        owner = type(self).__name__
        self.factor = factor
        self.lower, self.upper = _factor_range(factor, "factor", owner)
        if self.lower < -1:
            raise ValueError(f"{owner}: factor must have values larger than -1 (a size cannot "
                             f"shrink by more than 100%), received {factor!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{owner}: interpolation must be one of {INTERPOLATIONS}, "
                             f"received {interpolation!r}")
        self.interpolation = interpolation

    def _augment(self, x):
        size = list(x.shape[1:3])
        scale = self._rng.uniform(1.0 + self.lower, 1.0 + self.upper)
        size[self.AXIS - 1] = max(1, int(scale * size[self.AXIS - 1]))
        if x.dtype.kind != "f":
            x = cast(x, self.dtype)
        return resize(x, tuple(size), method=self.interpolation)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[len(shape) - 4 + self.AXIS] = None
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "interpolation": self.interpolation}


class RandomHeight(_RandomSize):
    """In training, the images' height times a random factor in [1 + low, 1 + high]
    (``factor`` f: [1 - f, 1 + f]), resized by 'bilinear' (default) or 'nearest'."""

    AXIS = 1


class RandomWidth(_RandomSize):
    """In training, the images' width times a random factor in [1 + low, 1 + high]
    (``factor`` f: [1 - f, 1 + f]), resized by 'bilinear' (default) or 'nearest'."""

    AXIS = 2

"""RandomShear (Keras 3): slant each image by a random shear, as an affine warp
(:func:`saessak.ops.image.warp`), in training only.

As in Keras, the shear is about the image's top-left corner: with shears ``sx`` and
``sy`` the output pixel at (row, col) reads the input at ``(row + sy col, col + sx row)``,
so ``sx = 0.3`` moves the bottom row 30% of the height's worth of pixels across. Points
that fall outside are filled by ``fill_mode``.
"""

from __future__ import annotations

import numpy as np

from ...ops.image import LAYER_FILL_MODES, check_fill, warp
from .image_tone import _ImageAugmentation, _range


def shear_matrices(x_shear, y_shear):
    """The output -> input matrices (rows, columns) of shears ``x_shear`` (columns move
    with the row) and ``y_shear`` (rows move with the column), one per value: (n, 3, 3)."""
    x_shear, y_shear = np.broadcast_arrays(np.asarray(x_shear, float), np.asarray(y_shear,
                                                                                  float))
    m = np.zeros(x_shear.shape + (3, 3))
    m[..., 0, 0] = m[..., 1, 1] = m[..., 2, 2] = 1.0
    m[..., 0, 1] = y_shear
    m[..., 1, 0] = x_shear
    return m


class RandomShear(_ImageAugmentation):
    """Shear each image by ``sx`` along the width and ``sy`` along the height, each drawn
    per image from its factor's range (a number ``f`` in [0, 1]: (-f, f); a pair (low,
    high) within [-1, 1]: that range), times a random sign shared by both shears of the
    image. A shear of 1 moves a pixel one pixel across per pixel along.

    ``fill_mode`` is 'reflect' (default), 'constant', 'nearest' or 'wrap';
    ``fill_value`` is used with 'constant'; ``interpolation`` 'bilinear' or 'nearest'."""

    unsupported = ("bounding_boxes", "segmentation_masks")

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        self.x_factor = self._factor("x_factor", x_factor)
        self.y_factor = self._factor("y_factor", y_factor)
        check_fill(fill_mode, interpolation, "RandomShear", LAYER_FILL_MODES)
        self.interpolation, self.fill_mode = interpolation, fill_mode
        if not isinstance(fill_value, (int, float)):
            raise ValueError(f"RandomShear: fill_value must be a number, received "
                             f"{fill_value!r}")
        self.fill_value = float(fill_value)

    @staticmethod
    def _factor(name, value):
        low, high = _range("RandomShear", name, value, (-1.0, 1.0))
        return (-high, high) if isinstance(value, (int, float)) else (low, high)

    def _augment(self, x):
        n = x.shape[0]
        sign = np.where(self._rng.random(n) > 0.5, -1.0, 1.0)
        sy = self._rng.uniform(*self.y_factor, n) * sign
        sx = self._rng.uniform(*self.x_factor, n) * sign
        return warp(x, shear_matrices(sx, sy), self.interpolation, self.fill_mode,
                    self.fill_value)

    def get_config(self):
        return {**super().get_config(), "x_factor": list(self.x_factor),
                "y_factor": list(self.y_factor), "interpolation": self.interpolation,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value}

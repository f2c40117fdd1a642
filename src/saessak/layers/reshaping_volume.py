"""Zero padding, cropping and upsampling of volumes (batch, depth, height, width, channels):
the 3-D members of :mod:`.reshaping_image`'s families, which are written for any number of
spatial axes; only the argument forms and defaults of Keras's 3-D layers are added here.

>>> ZeroPadding3D(1)(np.ones((1, 4, 4, 4, 2))).shape
(1, 6, 6, 6, 2)
>>> UpSampling3D(2)(np.ones((1, 2, 3, 4, 1))).shape
(1, 4, 6, 8, 1)
"""

from __future__ import annotations

import numpy as np

from .reshaping_image import _Cropping, _UpSampling, _ZeroPadding

__all__ = ["Cropping3D", "UpSampling3D", "ZeroPadding3D"]


def _int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _per_axis(value):
    """Keras also takes one entry per axis that is either an int (the same before and
    after) or a pair, mixed: ``(1, (0, 2), 3)``. Such a mix becomes three pairs; the other
    forms (int, three ints, three pairs) go to the shared parser as they are."""
    if isinstance(value, (list, tuple)) and len(value) == 3 and any(_int(v) for v in value) \
            and not all(_int(v) for v in value):
        return tuple((v, v) if _int(v) else v for v in value)
    return value


class ZeroPadding3D(_ZeroPadding):
    """Zeros around a volume: ``padding`` an int, three ints (the same before and after on
    each of depth, height, width) or three (before, after) pairs.

    Input (batch, depth, height, width, channels) with ``data_format='channels_last'`` or
    (batch, channels, depth, height, width) with ``'channels_first'``.
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(_per_axis(padding), data_format, **kwargs)


class Cropping3D(_Cropping):
    """Drop slices at the edges of a volume: ``cropping`` an int, three ints (the same at
    both ends of depth, height, width) or three (start, end) pairs."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(_per_axis(cropping), data_format, **kwargs)


class UpSampling3D(_UpSampling):
    """Repeat each voxel ``size`` = (d, h, w) times along depth, height and width (nearest
    neighbour; Keras's 3-D layer has no other interpolation)."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        if "interpolation" in kwargs:
            raise TypeError("UpSampling3D: unexpected keyword argument 'interpolation' "
                            "(Keras's UpSampling3D only repeats voxels)")
        super().__init__(size, data_format, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("interpolation")
        return config

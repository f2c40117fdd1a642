"""Layers that change the size of sequences and images without weights: zero padding,
cropping and upsampling (repeating or interpolating pixels).

>>> ZeroPadding2D(1)(np.ones((1, 28, 28, 3))).shape
(1, 30, 30, 3)
>>> UpSampling2D(2)(np.ones((1, 7, 7, 3))).shape
(1, 14, 14, 3)
"""

from __future__ import annotations

import numpy as np

from ..ops import getitem, pad, repeat
from ..ops.conv_utils import normalize_tuple
from ..ops.data_format import check_data_format
from ..ops.image import resize_axis
from .layer import Layer


def _pairs(value, rank, name, owner):
    """``1 -> ((1, 1),) * rank``; ``(1, 2) -> ((1, 1), (2, 2))`` for rank 2 (symmetric per
    axis); ``((1, 2), (3, 4))`` as is. Rank 1 also takes ``(before, after)``."""
    try:
        if isinstance(value, (int, np.integer)):
            pairs = ((int(value), int(value)),) * rank
        elif rank == 1 and len(value) == 2 and all(isinstance(v, (int, np.integer))
                                                   for v in value):
            pairs = ((int(value[0]), int(value[1])),)
        elif len(value) == rank and all(isinstance(v, (int, np.integer)) for v in value):
            pairs = tuple((int(v), int(v)) for v in value)
        else:
            pairs = tuple((int(a), int(b)) for a, b in value)
    except (TypeError, ValueError):
        pairs = ()
    if len(pairs) != rank or any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{owner}: {name} must be a non-negative int, a tuple of {rank} "
                         f"ints or a tuple of {rank} (before, after) pairs, received {value!r}")
    return pairs


class _Spatial(Layer):
    """Shared by the layers here: which axes are spatial for the data format."""

    rank = 2

    def _spatial_axes(self, ndim):
        if ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2}, received rank {ndim}")
        first = 2 if getattr(self, "data_format", "channels_last") == "channels_first" else 1
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for i, axis in enumerate(self._spatial_axes(len(shape))):
            if shape[axis] is not None:
                shape[axis] = self._new_size(i, shape[axis])
        return tuple(shape)


class _ZeroPadding(_Spatial):
    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, self.rank, "padding", type(self).__name__)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def _new_size(self, i, n):
        return n + sum(self.padding[i])

    def call(self, inputs):
        width = [(0, 0)] * inputs.ndim
        for axis, p in zip(self._spatial_axes(inputs.ndim), self.padding):
            width[axis] = p
        return pad(inputs, width)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the steps: ``padding`` int or (before, after)."""

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        config["padding"] = list(self.padding[0])
        return config


class ZeroPadding2D(_ZeroPadding):
    """Zeros around an image: ``padding`` int, (rows, cols), or ((top, bottom), (left,
    right))."""

    rank = 2


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping", type(self).__name__)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def _new_size(self, i, n):
        size = n - sum(self.cropping[i])
        if size <= 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: cropping "
                             f"{self.cropping[i]} leaves nothing of an axis of size {n}")
        return size

    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for i, axis in enumerate(self._spatial_axes(inputs.ndim)):
            lo, _ = self.cropping[i]
            index[axis] = slice(lo, lo + self._new_size(i, inputs.shape[axis]))
        return getitem(inputs, tuple(index))

    def get_config(self):
        return {**super().get_config(), "cropping": [list(c) for c in self.cropping],
                "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Drop steps from the start and end: ``cropping`` int or (start, end)."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        config["cropping"] = list(self.cropping[0])
        return config


class Cropping2D(_Cropping):
    """Drop rows and columns at the edges: int, (rows, cols) or ((top, bottom), (left,
    right))."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_Spatial):
    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.size = normalize_tuple(size, self.rank, "size", owner)
        self.data_format = check_data_format(data_format, owner)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"{owner}: interpolation must be 'nearest' or 'bilinear', "
                             f"received {interpolation!r}")
        self.interpolation = interpolation

    def _new_size(self, i, n):
        return n * self.size[i]

    def call(self, inputs):
        y = inputs
        for i, axis in enumerate(self._spatial_axes(inputs.ndim)):
            if self.size[i] == 1:
                continue
            if self.interpolation == "nearest":
                y = repeat(y, self.size[i], axis=axis)
            else:
                y = resize_axis(y, axis, y.shape[axis] * self.size[i])
        return y

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format, "interpolation": self.interpolation}


class UpSampling1D(_UpSampling):
    """Repeat each step ``size`` times: (batch, steps, features) -> (batch, steps * size,
    features)."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size, **kwargs)

    def get_config(self):
        config = super().get_config()
        for key in ("data_format", "interpolation"):
            config.pop(key)
        config["size"] = self.size[0]
        return config


class UpSampling2D(_UpSampling):
    """Enlarge an image ``size`` times: repeat pixels ('nearest', default) or interpolate
    ('bilinear')."""

    rank = 2

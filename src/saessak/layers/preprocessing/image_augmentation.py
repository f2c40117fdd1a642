"""Image preprocessing layers: Rescaling and Resizing (always on), and random augmentation
(RandomFlip, RandomRotation, RandomZoom, RandomTranslation) that acts only in training.

Put them first in a model and the augmentation travels with it; at inference the random
layers pass images through unchanged:

>>> model = Sequential([RandomFlip('horizontal'), RandomRotation(0.1), Conv2D(32, 3), ...])

Images are (batch, height, width, channels); the random layers draw one transform per
image, applied as an affine warp (:mod:`saessak.ops.image`).
"""

from __future__ import annotations

import numpy as np

from ... import backend
from ...ops import cast, multiply
from ...ops.image import LAYER_FILL_MODES, affine_matrix, check_fill, resize, warp
from ..layer import Layer


def _factor_range(factor, name, owner, symmetric_only=False):
    """``f -> (-f, f)``; ``(low, high)`` kept, as Keras's factor arguments."""
    if isinstance(factor, (int, float)):
        low, high = -abs(float(factor)), abs(float(factor))
    else:
        try:
            low, high = (float(v) for v in factor)
        except (TypeError, ValueError):
            raise ValueError(f"{owner}: {name} must be a float or a (low, high) pair, "
                             f"received {factor!r}") from None
    if low > high:
        raise ValueError(f"{owner}: {name} must have low <= high, received {factor!r}")
    return low, high


class _Augmentation(Layer):
    """A random image transform, active only when ``training`` is true."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = backend.make_rng(seed)

    def _images(self, inputs):
        if inputs.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected images of rank 4 "
                             f"(batch, h, w, c) or 3 (h, w, c), received shape "
                             f"{tuple(inputs.shape)}")

    def call(self, inputs, training=None):
        self._images(inputs)
        if not training:
            return inputs
        if inputs.ndim == 3:  # one image: add the batch axis and take it off again
            return self._augment(inputs[None])[0]
        return self._augment(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class RandomFlip(_Augmentation):
    """Flip each image left-right ('horizontal'), upside down ('vertical') or either
    ('horizontal_and_vertical', default), each with probability 1/2."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip: mode must be one of {self.MODES}, received {mode!r}")
        self.mode = mode

    def _augment(self, x):
        n = x.shape[0]
        y = x
        for axis, on in ((2, "horizontal" in self.mode), (1, "vertical" in self.mode)):
            if not on:
                continue
            flip = self._rng.random(n) < 0.5
            keep = backend.asarray((~flip).reshape(n, 1, 1, 1).astype(x.dtype))
            flipped = y[(slice(None),) * axis + (slice(None, None, -1),)]
            y = multiply(y, keep) + multiply(flipped, 1 - keep)  # per image: y or flipped
        return y

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineAugmentation(_Augmentation):
    """Shared by rotation, zoom and translation: fill mode, interpolation, the warp."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(seed, **kwargs)
        check_fill(fill_mode, interpolation, type(self).__name__, LAYER_FILL_MODES)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)

    def _augment(self, x):
        n, h, w = x.shape[:3]
        mats = np.stack([self._matrix(h, w) for _ in range(n)])
        return warp(x, mats, self.interpolation, self.fill_mode, self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_AffineAugmentation):
    """Rotate each image by a random angle: ``factor`` is a fraction of a full turn, so
    0.1 draws from [-36, 36] degrees; ``(low, high)`` sets the range itself."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.range = _factor_range(factor, "factor", "RandomRotation")

    def _matrix(self, h, w):
        degrees = self._rng.uniform(*self.range) * 360.0
        return affine_matrix(theta=degrees, height=h, width=w)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineAugmentation):
    """Zoom each image by a random amount: ``height_factor`` 0.2 draws from [-20%, +20%];
    positive values zoom out (the content shrinks), negative ones zoom in. With
    ``width_factor=None`` the width follows the height (the aspect ratio is kept)."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.h_range = _factor_range(height_factor, "height_factor", "RandomZoom")
        self.w_range = (None if width_factor is None
                        else _factor_range(width_factor, "width_factor", "RandomZoom"))
        if self.h_range[0] < -1 or (self.w_range and self.w_range[0] < -1):
            raise ValueError("RandomZoom: factors must be >= -1 (a zoom-in by 100% or less)")

    def _matrix(self, h, w):
        zh = 1.0 + self._rng.uniform(*self.h_range)
        zw = zh if self.w_range is None else 1.0 + self._rng.uniform(*self.w_range)
        return affine_matrix(zx=zh, zy=zw, height=h, width=w)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineAugmentation):
    """Shift each image by a random fraction of its size: ``height_factor`` 0.1 moves it up
    or down by up to 10% of the height (positive = down), ``width_factor`` likewise
    (positive = right)."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.h_range = _factor_range(height_factor, "height_factor", "RandomTranslation")
        self.w_range = _factor_range(width_factor, "width_factor", "RandomTranslation")

    def _matrix(self, h, w):
        down = self._rng.uniform(*self.h_range) * h
        right = self._rng.uniform(*self.w_range) * w
        return affine_matrix(tx=-down, ty=-right)  # the output at p reads the input at p - shift

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class Rescaling(Layer):
    """``inputs * scale + offset``, always (e.g. ``Rescaling(1 / 255)`` for pixel values)."""

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        x = inputs if inputs.dtype.kind == "f" else cast(inputs, self.dtype)
        scale = np.asarray(self.scale, dtype=x.dtype)
        offset = np.asarray(self.offset, dtype=x.dtype)
        y = x * scale
        return y + offset if np.any(offset) else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Resizing(Layer):
    """Resize images to ``(height, width)`` by 'bilinear' (default) or 'nearest'
    interpolation, always. ``crop_to_aspect_ratio`` first crops the centre to the target's
    aspect ratio, so nothing is squashed."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 **kwargs):
        super().__init__(**kwargs)
        for name, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Resizing: {name} must be a positive integer, received "
                                 f"{value!r}")
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"Resizing: interpolation must be 'bilinear' or 'nearest', "
                             f"received {interpolation!r}")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def call(self, inputs):
        x = inputs[None] if inputs.ndim == 3 else inputs
        if self.crop_to_aspect_ratio:
            h, w = x.shape[1:3]
            ch = min(h, int(round(w * self.height / self.width)))
            cw = min(w, int(round(h * self.width / self.height)))
            top, left = (h - ch) // 2, (w - cw) // 2
            x = x[:, top:top + ch, left:left + cw]
        y = resize(x, self.height, self.width, self.interpolation)
        return y[0] if inputs.ndim == 3 else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio}

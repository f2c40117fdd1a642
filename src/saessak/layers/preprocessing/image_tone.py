"""Keras 3's colour and tone layers: RandomGrayscale, RandomHue, RandomSaturation,
RandomColorJitter, RandomColorDegeneration, Solarization, RandomInvert,
RandomPosterization, AutoContrast, Equalization and RandomSharpness.

All take images (batch, h, w, c) or one image (h, w, c), channels last or, with
``data_format='channels_first'``, first; or a dict ``{"images": ..., "labels": ...}`` whose
images are transformed and whose other entries pass through (``bounding_boxes`` are not
supported). The random layers act only in training (one draw per image) and return their
input unchanged otherwise; AutoContrast and Equalization are fixed transforms and act
always. Pixel values are read in ``value_range`` ((0, 255) by default; pass (0, 1) for
scaled images). Integer images are computed as floats.

A ``factor`` given as one number ``f`` means the range ``(0, f)`` (RandomPosterization:
``(1, f)`` bits); a pair is the range itself, from which each image draws its own value
(pass ``(f, f)`` for a fixed one).
"""

from __future__ import annotations

import numpy as np

from ... import backend, ops
from ...autograd.tensor import Tensor
from ...ops.data_format import check_data_format, from_channels_last, to_channels_last
from ...ops.image_colors import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from ...ops.keras_conv import depthwise_conv
from .image_augmentation import _Augmentation
from .image_color import RandomBrightness, RandomContrast, _ColorAugmentation, _value_range


def _range(owner, name, value, bounds=(0.0, 1.0), start=0.0):
    """Keras's factor rule: a number ``f`` is ``(start, f)``, a pair is sorted; every value
    within ``bounds``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        pair = (start, value)
    elif (isinstance(value, (list, tuple)) and len(value) == 2
          and all(isinstance(v, (int, float)) for v in value)):
        pair = tuple(sorted(value))
    else:
        raise ValueError(f"{owner}: {name} must be a number or a (low, high) pair, received "
                         f"{value!r}")
    if not all(bounds[0] <= v <= bounds[1] for v in pair) or pair[0] > pair[1]:
        raise ValueError(f"{owner}: {name} must lie in [{bounds[0]:g}, {bounds[1]:g}], "
                         f"received {value!r}")
    return tuple(float(v) for v in pair)


def _span(owner, value_range):
    low, high = _value_range(owner, value_range)
    if not low < high:
        raise ValueError(f"{owner}: value_range must have low < high, received {value_range!r}")
    return low, high


def _to_255(x, value_range):
    """Values in ``value_range`` -> [0, 255] (a NumPy array)."""
    low, high = value_range
    return (np.asarray(x, dtype=np.float64) - low) * (255.0 / (high - low))


def _from_255(y, value_range, dtype):
    low, high = value_range
    return Tensor((y * ((high - low) / 255.0) + low).astype(dtype))


class _ImageAugmentation(_Augmentation):
    """Keras 3's image-layer conventions on top of ``_Augmentation``: ``data_format``,
    integer images computed as floats, dict inputs; ``_augment`` always sees a float batch
    (batch, h, w, c), channels last."""

    always = False  # also outside training (the fixed transforms)
    channels = None  # the channel counts the layer accepts (None: any)
    unsupported = ("bounding_boxes",)  # dict entries the layer cannot carry along

    def __init__(self, *args, data_format=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def _check_channels(self, shape):
        if self.channels is None or len(shape) not in (3, 4):
            return
        c = shape[-1] if self.data_format == "channels_last" else shape[-3]
        if c is not None and c not in self.channels:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected "
                             f"{' or '.join(map(str, self.channels))} channels "
                             f"({self.data_format}), received shape {tuple(shape)}")

    def _dict_images(self, inputs):
        if "images" not in inputs:
            raise ValueError(f"{type(self).__name__} {self.name!r}: a dict input needs an "
                             f"'images' entry, received keys {sorted(inputs)}")
        bad = sorted(k for k in inputs if k in self.unsupported)
        if bad:
            raise ValueError(f"{type(self).__name__} {self.name!r}: {bad} entries are not "
                             f"supported by saessak")
        return inputs["images"]

    def call(self, inputs, training=None):
        if isinstance(inputs, dict):
            return {**inputs, "images": self.call(self._dict_images(inputs), training)}
        self._images(inputs)
        self._check_channels(inputs.shape)
        if not (training or self.always):
            return inputs
        return self._from_last(self._augment(self._to_last(inputs)), inputs.ndim)

    def _to_last(self, images):
        x = images if images.dtype.kind == "f" else ops.cast(images, self.dtype)
        return to_channels_last(x[None] if x.ndim == 3 else x, self.data_format)

    def _from_last(self, y, ndim):
        y = from_channels_last(y, self.data_format)
        return y[0] if ndim == 3 else y

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict):
            return {k: tuple(v) for k, v in input_shape.items()}
        shape = tuple(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"{type(self).__name__}: expected images of rank 3 or 4, "
                             f"received shape {shape}")
        self._check_channels(shape)
        return shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _ToneAugmentation(_ImageAugmentation, _ColorAugmentation):
    """``factor`` and ``value_range``; the factor read by Keras's rule, within ``bounds``."""

    bounds = (0.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        # _ColorAugmentation reads value_range (and keeps factor and value_range in the
        # config); the factor follows this layer's own rule
        super().__init__(0.0, value_range, seed, data_format=data_format, **kwargs)
        self.value_range = _span(type(self).__name__, value_range)
        self.factor = _range(type(self).__name__, "factor", factor, self.bounds)

    def _unit(self, x):
        low, high = self.value_range
        return (x - low) * (1.0 / (high - low))

    def _hsv(self, x, edit):
        """``edit(hsv)`` (NumPy, in place) on the images' HSV in [0, 1]; back to RGB."""
        hsv = rgb_to_hsv(self._unit(x), "channels_last").numpy()
        edit(hsv)
        rgb = np.clip(hsv_to_rgb(hsv, "channels_last").numpy(), 0.0, 1.0)
        return _from_255(rgb * 255.0, self.value_range, x.dtype)


class RandomGrayscale(_ImageAugmentation):
    """Each image turned to grayscale (luma, :func:`~saessak.ops.image_colors.
    rgb_to_grayscale`, copied to every channel) with probability ``factor``."""

    channels = (1, 3)

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: factor must be a probability in [0, 1], "
                             f"received {factor!r}")
        self.factor = float(factor)

    def _augment(self, x):
        n = x.shape[0]
        pick = (self._rng.random(n) < self.factor).reshape(n, 1, 1, 1).astype(x.dtype)
        pick = backend.asarray(pick)
        return rgb_to_grayscale(x, "channels_last") * pick + x * (1 - pick)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomHue(_ToneAugmentation):
    """The hue turned by ``+-d / 2`` of a full circle, ``d`` drawn from the factor range
    and the sign by a coin: ``factor=1`` reaches half a turn (the complementary colour)."""

    channels = (3,)

    def _augment(self, x):
        n = x.shape[0]
        sign = np.where(self._rng.random(n) > 0.5, -1.0, 1.0)
        delta = (sign * self._rng.uniform(*self.factor, n) * 0.5)[:, None, None]

        def turn(hsv):
            hsv[..., 0] = (hsv[..., 0] + delta) % 1.0

        return self._hsv(x, turn)


class RandomSaturation(_ToneAugmentation):
    """The saturation multiplied by ``f / (1 - f)``, ``f`` drawn from the factor range, then
    clipped to [0, 1]: 0.5 keeps the image, 0 makes it gray, 1 fully saturated."""

    channels = (3,)
    bounds = (-1.0, 1.0)  # Keras's range for a pair; below 0 the saturation clips to 0

    def _augment(self, x):
        f = self._rng.uniform(*self.factor, x.shape[0])
        scale = (f / (1.0 - f + backend.epsilon()))[:, None, None]

        def saturate(hsv):
            hsv[..., 1] = np.clip(hsv[..., 1] * scale, 0.0, 1.0)

        return self._hsv(x, saturate)


class RandomColorDegeneration(_ToneAugmentation):
    """Each image moved towards its grayscale by a fraction drawn from the factor range:
    ``x + f (gray - x)``, clipped to ``value_range`` (0 keeps it, 1 is fully gray)."""

    channels = (3,)
    bounds = (-1.0, 1.0)  # Keras's range for a pair; below 0 the colours are strengthened

    def _augment(self, x):
        f = self._draw(x.shape[0], *self.factor, x.dtype)
        gray = rgb_to_grayscale(x, "channels_last")
        return ops.clip(x + f * (gray - x), *self.value_range)


class RandomSharpness(_ToneAugmentation):
    """A blend with the image smoothed by the 3x3 kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13
    (zero padding, as Keras): ``x + (1 - 2f) (smooth - x)``, clipped; ``f`` from the factor
    range: 0 gives the smoothed image, 0.5 the image itself, 1 sharpens it."""

    def _augment(self, x):
        s = self._draw(x.shape[0], *self.factor, x.dtype) * 2
        kernel = np.full((3, 3), 1.0 / 13.0)
        kernel[1, 1] = 5.0 / 13.0
        kernel = np.tile(kernel[:, :, None, None], (1, 1, x.shape[-1], 1)).astype(x.dtype)
        smooth = depthwise_conv(x, kernel, padding="same", data_format="channels_last")
        return ops.clip(x + (1 - s) * (smooth - x), *self.value_range)


class RandomInvert(_ToneAugmentation):
    """Each image inverted within ``value_range`` (``low + high - x``) with a probability
    itself drawn from the factor range: the default ``factor=1.0`` (range (0, 1)) inverts
    half the images on average, ``(1, 1)`` all of them."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(factor, value_range, data_format, seed, **kwargs)

    def _augment(self, x):
        n = x.shape[0]
        flip = self._rng.random(n) < self._rng.uniform(*self.factor, n)
        flip = backend.asarray(flip.reshape(n, 1, 1, 1).astype(x.dtype))
        low, high = self.value_range
        return (low + high - x) * flip + x * (1 - flip)


class Solarization(_ImageAugmentation):
    """Pixels at or above a threshold turned to ``255 - x`` (on the [0, 255] scale of
    ``value_range``), after adding an offset: ``y = clip(x + a, 0, 255)``, then
    ``y < t ? y : 255 - y``. ``a`` and ``t`` are drawn per image from ``addition_factor``
    and ``threshold_factor`` times 255; the defaults (0, 0) invert every pixel."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.addition_factor = _range("Solarization", "addition_factor", addition_factor)
        self.threshold_factor = _range("Solarization", "threshold_factor", threshold_factor)
        self.value_range = _span("Solarization", value_range)

    def _augment(self, x):
        shape = (x.shape[0], 1, 1, 1)
        add = self._rng.uniform(*self.addition_factor, shape) * 255.0
        threshold = self._rng.uniform(*self.threshold_factor, shape) * 255.0
        y = np.clip(_to_255(x.numpy(), self.value_range) + add, 0.0, 255.0)
        return _from_255(np.where(y < threshold, y, 255.0 - y), self.value_range, x.dtype)

    def get_config(self):
        return {**super().get_config(), "addition_factor": list(self.addition_factor),
                "threshold_factor": list(self.threshold_factor),
                "value_range": list(self.value_range)}


class RandomPosterization(_ImageAugmentation):
    """Each channel kept to ``b`` bits (on the [0, 255] scale of ``value_range``, values
    truncated to integers first): ``(v >> (8 - b)) << (8 - b)``. ``b`` is drawn per image
    from the integers of ``factor``: ``4`` means 1 to 4 bits, ``(3, 3)`` always 3."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        low, high = _range("RandomPosterization", "factor", factor, (1, 8), start=1)
        if low != int(low) or high != int(high):
            raise ValueError(f"RandomPosterization: factor must be whole numbers of bits, "
                             f"received {factor!r}")
        self.factor = (int(low), int(high))
        self.value_range = _span("RandomPosterization", value_range)

    def _augment(self, x):
        n = x.shape[0]
        shift = 8 - self._rng.integers(self.factor[0], self.factor[1] + 1, n)
        shift = shift.reshape(n, 1, 1, 1).astype(np.uint8)
        v = np.clip(_to_255(x.numpy(), self.value_range), 0, 255).astype(np.uint8)
        v = np.left_shift(np.right_shift(v, shift), shift)
        return _from_255(v.astype(np.float64), self.value_range, x.dtype)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class _FixedTransform(_ImageAugmentation):
    """A deterministic transform: acts in training and at inference alike, no seed."""

    always = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(None, **kwargs)
        self.value_range = _span(type(self).__name__, value_range)

    def get_config(self):
        config = {**super().get_config(), "value_range": list(self.value_range)}
        config.pop("seed")
        return config


class AutoContrast(_FixedTransform):
    """Each channel of each image stretched linearly so its smallest value becomes the low
    end of ``value_range`` and its largest the high end (a constant channel is left as it
    is). Integer images stay integers (rounded)."""

    def call(self, inputs, training=None):
        y = super().call(inputs, training)
        if isinstance(inputs, dict) or inputs.dtype.kind == "f":
            return y
        info = np.iinfo(inputs.dtype)
        return ops.cast(ops.clip(ops.round(y), info.min, info.max), inputs.dtype)

    def _augment(self, x):
        a = x.numpy()
        low = a.min(axis=(1, 2), keepdims=True)
        high = a.max(axis=(1, 2), keepdims=True)
        span = np.where(high > low, high - low, 1)
        out_low, out_high = self.value_range
        y = np.clip((a - low) / span * (out_high - out_low) + out_low, out_low, out_high)
        y = np.where((high > low) & ~np.isnan(y), y, a)
        return Tensor(y.astype(a.dtype))


class Equalization(_FixedTransform):
    """Histogram equalization of each channel of each image, on the [0, 255] scale of
    ``value_range``: a value falls in bin ``int(v (bins - 1) / 255)``; with the histogram's
    cumulative counts ``cdf`` (``cdf_min`` the first non-zero one), that bin maps to
    ``round(255 (cdf - cdf_min) / (cdf[-1] - cdf_min))``. A channel with one occupied bin is
    left as it is."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(value_range, data_format=data_format, **kwargs)
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
            raise ValueError(f"Equalization: bins must be a positive integer, received "
                             f"{bins!r}")
        self.bins = bins

    def _augment(self, x):
        n, h, w, c = x.shape
        v = np.moveaxis(_to_255(x.numpy(), self.value_range), 3, 1).reshape(n * c, h * w)
        bins = self.bins
        index = np.clip(np.trunc(v * (bins - 1) / 255.0), 0, bins - 1).astype(np.int64)
        offsets = np.arange(n * c)[:, None] * bins
        hist = np.bincount((index + offsets).ravel(), minlength=n * c * bins)
        hist = hist.reshape(n * c, bins)
        cdf = hist.cumsum(axis=1)
        cdf_min = cdf[np.arange(n * c), np.argmax(cdf > 0, axis=1)][:, None]
        denominator = cdf[:, -1:] - cdf_min
        lut = np.round((cdf - cdf_min) * 255.0 / np.where(denominator == 0, 1, denominator))
        y = np.take_along_axis(np.clip(lut, 0, 255), index, axis=1)
        y = np.where((hist > 0).sum(axis=1, keepdims=True) <= 1, v, y)
        y = np.moveaxis(y.reshape(n, c, h, w), 1, 3)
        return _from_255(y, self.value_range, x.dtype)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins}


class RandomColorJitter(_ImageAugmentation):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order, each
    one whose factor is given (None skips it), each drawing per image, all in
    ``value_range``. The factors mean what they mean to those layers."""

    STEPS = (("brightness_factor", RandomBrightness), ("contrast_factor", RandomContrast),
             ("saturation_factor", RandomSaturation), ("hue_factor", RandomHue))

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        self.value_range = _span("RandomColorJitter", value_range)
        factors = (brightness_factor, contrast_factor, saturation_factor, hue_factor)
        steps = []
        for i, ((name, cls), factor) in enumerate(zip(self.STEPS, factors)):
            setattr(self, name, factor)
            if factor is None:
                continue
            sub_seed = None if seed is None else seed + i  # distinct draws per step
            try:
                steps.append(cls(factor, value_range=list(self.value_range), seed=sub_seed))
            except ValueError as err:
                raise ValueError(f"RandomColorJitter: {name}: {err}") from None
        self.steps = steps
        if saturation_factor is not None or hue_factor is not None:
            self.channels = (3,)

    def _augment(self, x):
        for step in self.steps:
            x = step._augment(x)
        return x

    def get_config(self):
        config = {**super().get_config(), "value_range": list(self.value_range)}
        return {**config, **{name: getattr(self, name) for name, _ in self.STEPS}}

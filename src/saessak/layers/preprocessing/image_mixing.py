"""Keras 3's mixing and occlusion layers: MixUp, CutMix, RandomErasing, RandomGaussianBlur.

Like the other augmentation layers they act only in training, take images (batch, h, w, c)
(channels first with ``data_format='channels_first'``) or a dict
``{"images": ..., "labels": ...}``, and return their input unchanged otherwise.

MixUp and CutMix mix each image of a batch with the image at the same place in a shuffled
copy of the batch (one random permutation per call; an image may meet itself). Given a
dict, they mix ``labels`` (any shape whose first axis is the batch; cast to float) with the
same partner and the same weight; every other entry passes through. One image alone
(rank 3) has no partner and comes back unchanged.
"""

from __future__ import annotations

import numpy as np

from ... import backend, ops
from ...autograd.tensor import Tensor
from ...ops.image_filters import gaussian_blur
from .image_tone import _ImageAugmentation, _range, _span


def _box_masks(rng, n, height, width, frac_h, frac_w):
    """One rectangle per image, ``frac_h`` of the height by ``frac_w`` of the width (as
    fractions; the rows and columns whose index falls inside the real-valued box), at a
    uniformly random place: a boolean (n, height, width)."""
    h, w = frac_h * height, frac_w * width
    top = rng.random(n) * (height - h)
    left = rng.random(n) * (width - w)
    rows, cols = np.arange(height), np.arange(width)
    in_rows = (rows >= top[:, None]) & (rows < (top + h)[:, None])
    in_cols = (cols >= left[:, None]) & (cols < (left + w)[:, None])
    return in_rows[:, :, None] & in_cols[:, None, :]


class _Mixing(_ImageAugmentation):
    """Shared by MixUp and CutMix: the permutation, the dict, the labels."""

    unsupported = ("bounding_boxes", "segmentation_masks")

    def call(self, inputs, training=None):
        images = self._dict_images(inputs) if isinstance(inputs, dict) else inputs
        self._images(images)
        if not training or images.ndim == 3:
            return inputs
        x = self._to_last(images)
        n = x.shape[0]
        order = self._rng.permutation(n)
        mixed, weights = self._mix(x, order)  # weights: the share of each image's own
        mixed = self._from_last(mixed, images.ndim)
        if not isinstance(inputs, dict):
            return mixed
        out = {**inputs, "images": mixed}
        labels = inputs.get("labels")
        if labels is not None:
            if labels.ndim == 0 or labels.shape[0] != n:
                raise ValueError(f"{type(self).__name__} {self.name!r}: labels must have the "
                                 f"batch ({n}) as first axis, received shape "
                                 f"{tuple(labels.shape)}")
            y = labels if labels.dtype.kind == "f" else ops.cast(labels, self.dtype)
            wl = backend.asarray(weights.reshape((n,) + (1,) * (y.ndim - 1)).astype(y.dtype))
            out["labels"] = y * wl + ops.take(y, order, axis=0) * (1 - wl)
        return out


class MixUp(_Mixing):
    """``w x + (1 - w) x[perm]`` with one weight ``w ~ Beta(alpha, alpha)`` per image (the
    labels likewise). A small ``alpha`` keeps most weights near 0 or 1 (little mixing)."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
            raise ValueError(f"MixUp: alpha must be a positive number, received {alpha!r}")
        self.alpha = float(alpha)

    def _mix(self, x, order):
        n = x.shape[0]
        weights = self._rng.beta(self.alpha, self.alpha, n)
        w = backend.asarray(weights.reshape(n, 1, 1, 1).astype(x.dtype))
        return x * w + ops.take(x, order, axis=0) * (1 - w), weights

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class CutMix(_Mixing):
    """A rectangle of each image replaced by the same rectangle of its partner. Per call,
    ``alpha`` is drawn from the factor range (a number ``f``: (0, f)); per image,
    ``lam ~ Beta(alpha, alpha)`` and the rectangle spans ``sqrt(1 - lam)`` of the height and
    of the width, at a random place. The labels are mixed by the share of pixels each
    image keeps (counted on the pasted mask)."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        self.factor = _range("CutMix", "factor", factor)

    def _mix(self, x, order):
        n, h, w = x.shape[:3]
        alpha = self._rng.uniform(*self.factor) + 1e-6
        side = np.sqrt(1.0 - self._rng.beta(alpha, alpha, n))
        masks = _box_masks(self._rng, n, h, w, side, side)
        m = backend.asarray(masks[..., None].astype(x.dtype))
        mixed = x * (1 - m) + ops.take(x, order, axis=0) * m
        return mixed, 1.0 - masks.mean(axis=(1, 2))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomErasing(_ImageAugmentation):
    """A rectangle of each image overwritten, with a probability drawn per image from the
    factor range (the default 1.0, range (0, 1), erases half the images on average; (1, 1)
    all). Its height and width are ``sqrt(u)`` of the image's, each ``u`` drawn from
    ``scale`` (so its area is a fraction within ``scale``). It is filled with
    ``fill_value``: a number, one number per channel, or None for noise ``N(0, 1) * high``;
    the fill is clipped to ``value_range``."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        self.factor = _range("RandomErasing", "factor", factor)
        self.scale = _range("RandomErasing", "scale", scale)
        numbers = (isinstance(fill_value, (list, tuple)) and len(fill_value) > 0
                   and all(isinstance(v, (int, float)) for v in fill_value))
        if not (fill_value is None or isinstance(fill_value, (int, float)) or numbers):
            raise ValueError(f"RandomErasing: fill_value must be None, a number or one number "
                             f"per channel, received {fill_value!r}")
        self.fill_value = list(fill_value) if numbers else fill_value
        self.value_range = _span("RandomErasing", value_range)

    def _augment(self, x):
        n, h, w, c = x.shape
        if isinstance(self.fill_value, list) and len(self.fill_value) != c:
            raise ValueError(f"RandomErasing {self.name!r}: fill_value has "
                             f"{len(self.fill_value)} numbers for {c} channels")
        sides = np.sqrt(self._rng.uniform(*self.scale, (n, 2)))
        masks = _box_masks(self._rng, n, h, w, sides[:, 1], sides[:, 0])
        on = self._rng.random(n) < self._rng.uniform(*self.factor, n)
        if self.fill_value is None:
            fill = self._rng.standard_normal(x.shape) * self.value_range[1]
        else:
            fill = np.broadcast_to(np.asarray(self.fill_value, dtype=np.float64), x.shape)
        fill = np.clip(fill, *self.value_range)
        erase = (masks & on[:, None, None])[..., None]
        a = x.numpy()
        return Tensor(np.where(erase, fill, a).astype(a.dtype))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor), "scale": list(self.scale),
                "fill_value": self.fill_value, "value_range": list(self.value_range)}


def _blur(a, sigmas, size):
    """Each image of ``a`` (n, h, w, c) blurred by its own Gaussian: ``size`` = (rows, cols)
    taps, ``sigmas`` (n, 2) (rows, cols); ``ops.image.gaussian_blur`` takes both as (x, y)."""
    return np.concatenate([
        gaussian_blur(image[None], (size[1], size[0]), (sigma[1], sigma[0])).numpy()
        for image, sigma in zip(a, sigmas)])


class RandomGaussianBlur(_ImageAugmentation):
    """Each image blurred by a Gaussian with a probability drawn per image from the factor
    range (the default 1.0, range (0, 1), blurs half the images on average; (1, 1) all).
    The kernel has ``kernel_size`` taps (odd; one number or (rows, cols)), zero padding;
    its two standard deviations (rows, columns) are drawn per image from ``sigma`` (a
    number ``s``: (0, s)). In training the output is clipped to ``value_range``."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format=data_format, **kwargs)
        self.factor = _range("RandomGaussianBlur", "factor", factor)
        sizes = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        if (not isinstance(sizes, (list, tuple)) or len(sizes) != 2
                or not all(isinstance(k, int) and k > 0 and k % 2 for k in sizes)):
            raise ValueError(f"RandomGaussianBlur: kernel_size must be an odd positive integer "
                             f"or a pair of them, received {kernel_size!r}")
        self.kernel_size = tuple(sizes)
        self.sigma = _range("RandomGaussianBlur", "sigma", sigma, (0.0, np.inf))
        self.value_range = _span("RandomGaussianBlur", value_range)

    def _augment(self, x):
        n = x.shape[0]
        on = self._rng.random(n) < self._rng.uniform(*self.factor, n)
        sigmas = self._rng.uniform(*self.sigma, (n, 2)) + 1e-6
        a = x.numpy()
        out = a.astype(np.float64)
        if on.any():
            out[on] = _blur(out[on], sigmas[on], self.kernel_size)
        return Tensor(np.clip(out, *self.value_range).astype(a.dtype))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "kernel_size": list(self.kernel_size), "sigma": list(self.sigma),
                "value_range": list(self.value_range)}

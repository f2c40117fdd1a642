"""CenterCrop and RandomCrop: cut images down to ``(height, width)``.

Both always give ``(height, width)`` images. An image smaller than the target (or, for
RandomCrop outside training, any image) is first cut to the largest central window of the
target's aspect ratio and then resized, as ``Resizing(crop_to_aspect_ratio=True)`` does,
so nothing is squashed.
"""

from __future__ import annotations

from .image_augmentation import Resizing, _Augmentation


def _check_size(owner, height, width):
    for name, value in (("height", height), ("width", width)):
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{owner}: {name} must be a positive integer, received {value!r}")


class CenterCrop(Resizing):
    """The central ``(height, width)`` window of every image, always."""

    def __init__(self, height, width, **kwargs):
        _check_size("CenterCrop", height, width)
        super().__init__(height, width, crop_to_aspect_ratio=True, **kwargs)

    def call(self, inputs):
        h, w = inputs.shape[-3:-1]
        if h < self.height or w < self.width:  # too small to cut: crop and resize
            return super().call(inputs)
        top, left = (h - self.height) // 2, (w - self.width) // 2
        return inputs[..., top:top + self.height, left:left + self.width, :]

    def get_config(self):
        config = super().get_config()
        for key in ("interpolation", "crop_to_aspect_ratio"):
            config.pop(key)
        return config


class RandomCrop(_Augmentation):
    """In training, a ``(height, width)`` window at a random place (one place for the whole
    batch, as Keras draws it); otherwise the central window of the target's aspect ratio,
    resized to ``(height, width)`` (tf.keras 2's rule), so a model's output shape does not
    change between ``fit`` and ``predict``."""

    def __init__(self, height, width, seed=None, **kwargs):
        _check_size("RandomCrop", height, width)
        super().__init__(seed, **kwargs)
        self.height, self.width = height, width
        self._whole = Resizing(height, width, crop_to_aspect_ratio=True)

    def call(self, inputs, training=None):
        self._images(inputs)
        h, w = inputs.shape[-3:-1]
        if not training or h < self.height or w < self.width:
            return self._whole(inputs)
        top = int(self._rng.integers(0, h - self.height + 1))
        left = int(self._rng.integers(0, w - self.width + 1))
        return inputs[..., top:top + self.height, left:left + self.width, :]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


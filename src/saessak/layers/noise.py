"""Regularizing noise, active only in training: whole-channel dropout (SpatialDropout1D/2D)
and Gaussian noise added to (GaussianNoise) or multiplied into (GaussianDropout) the inputs.

Neighbouring pixels and steps are strongly correlated, so dropping single elements hardly
regularizes a convolution; SpatialDropout drops whole feature maps instead.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from .dropout import Dropout
from .layer import Layer
from .pooling import _check_data_format


class SpatialDropout1D(Dropout):
    """Drop whole channels of (batch, steps, channels) inputs: one draw per example and
    channel, shared by every step."""

    rank = 1

    def __init__(self, rate, seed=None, data_format=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = _check_data_format(data_format, type(self).__name__)
        # one draw per (example, channel), broadcast over the spatial axes
        if self.data_format == "channels_last":
            self.noise_shape = (None,) + (1,) * self.rank + (None,)
        else:
            self.noise_shape = (None, None) + (1,) * self.rank

    def call(self, inputs, training=None):
        if inputs.ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2}, received shape {tuple(inputs.shape)}")
        return super().call(inputs, training)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Drop whole feature maps of (batch, h, w, channels) inputs."""

    rank = 2


class SpatialDropout3D(SpatialDropout1D):
    rank = 3


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of standard deviation ``stddev`` while training."""

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(stddev, (int, float)) or stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be a number >= 0, received "
                             f"{stddev!r}")
        self.stddev, self.seed = float(stddev), seed
        self._rng = backend.make_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = self._rng.normal(0.0, self.stddev, inputs.shape).astype(inputs.dtype)
        return inputs + backend.asarray(noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiply by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate))
    while training: the same mean and variance as dropout at that rate, without zeros."""

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout: rate must be a number in [0, 1), received "
                             f"{rate!r}")
        self.rate, self.seed = float(rate), seed
        self._rng = backend.make_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        std = np.sqrt(self.rate / (1.0 - self.rate))
        noise = self._rng.normal(1.0, std, inputs.shape).astype(inputs.dtype)
        return inputs * backend.asarray(noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}

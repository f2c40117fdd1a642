"""Regularizing noise, active only in training: whole-channel dropout (SpatialDropout1D/2D),
Gaussian noise added to (GaussianNoise) or multiplied into (GaussianDropout) the inputs, and
AlphaDropout for self-normalizing (SELU) networks.

Neighbouring pixels and steps are strongly correlated, so dropping single elements hardly
regularizes a convolution; SpatialDropout drops whole feature maps instead.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..ops.data_format import check_data_format
from .dropout import Dropout
from .layer import Layer


class SpatialDropout1D(Dropout):
    """Drop whole channels of (batch, steps, channels) inputs: one draw per example and
    channel, shared by every step."""

    rank = 1

    def __init__(self, rate, seed=None, data_format=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
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


class AlphaDropout(Layer):
    """Dropout that keeps SELU's self-normalization: dropped inputs are set to SELU's
    negative saturation value ``-alpha * scale`` instead of 0, and everything is then moved
    by ``a x + b`` so that the mean and variance stay those of the input (Klambauer et al.,
    2017): ``a = ((1 - rate)(1 + rate alpha'^2))^(-1/2)``, ``b = -a alpha' rate``."""

    supports_masking = True
    ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"AlphaDropout: rate must be a number in [0, 1), received "
                             f"{rate!r}")
        self.rate, self.seed = float(rate), seed
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self._rng = backend.make_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape) if self.noise_shape is None else tuple(
            n if m is None else m for n, m in zip(inputs.shape, self.noise_shape))
        kept = backend.dropout_mask(self._rng, shape, self.rate, inputs.dtype) != 0
        kept = backend.asarray(kept.astype(inputs.dtype))
        alpha_p = -self.ALPHA * self.SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return (inputs * kept + alpha_p * (1 - kept)) * a + b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}

"""Adaptive pooling: windows sized so that the output has ``output_size`` positions along
each spatial axis, whatever the input's size (Keras 3's ``AdaptiveAveragePooling2D`` ...).
Output position i of an axis of n inputs and m outputs pools inputs floor(i n / m) to
ceil((i + 1) n / m); the work is :func:`saessak.ops.adaptive_average_pool` /
``adaptive_max_pool``."""

from __future__ import annotations

from ..ops.conv_utils import normalize_tuple
from ..ops.data_format import check_data_format
from ..ops.windows import adaptive_average_pool, adaptive_max_pool
from .layer import Layer


class _AdaptivePooling(Layer):
    rank = 2
    pool = None  # the op, set by the subclasses

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.output_size = normalize_tuple(output_size, self.rank, "output_size", owner)
        self.data_format = check_data_format(data_format, owner)

    def call(self, inputs):
        if inputs.ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2}, received shape {tuple(inputs.shape)}")
        return type(self).pool(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": list(self.output_size),
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    rank, pool = 1, adaptive_average_pool


class AdaptiveAveragePooling2D(_AdaptivePooling):
    rank, pool = 2, adaptive_average_pool


class AdaptiveAveragePooling3D(_AdaptivePooling):
    rank, pool = 3, adaptive_average_pool


class AdaptiveMaxPooling1D(_AdaptivePooling):
    rank, pool = 1, adaptive_max_pool


class AdaptiveMaxPooling2D(_AdaptivePooling):
    rank, pool = 2, adaptive_max_pool


class AdaptiveMaxPooling3D(_AdaptivePooling):
    rank, pool = 3, adaptive_max_pool

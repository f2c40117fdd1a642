"""Pooling layers: shrink the spatial axes by keeping each window's maximum or mean.

``MaxPooling2D()`` halves an image (2x2 windows, stride 2; an odd size rounds down:
5 -> 2); the global poolings reduce every spatial axis at once, leaving one vector of
channels per example. Pooling has no weights.

>>> MaxPooling2D(pool_size=(2, 2))(np.zeros((1, 28, 28, 32))).shape
(1, 14, 14, 32)
"""

from __future__ import annotations

from ..ops import cast, expand_dims
from ..ops import max as reduce_max
from ..ops import mean as reduce_mean
from ..ops import sum as reduce_sum
from ..ops.conv_utils import conv_output_length, normalize_tuple
from ..ops.data_format import check_data_format, from_channels_last, to_channels_last
from ..ops.pooling import avg_pool, max_pool
from .layer import Layer


class _Pooling(Layer):
    """Windowed pooling over ``rank`` spatial axes; subclasses pick max or average."""

    rank = 2
    pool_function = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", owner)
        self.strides = (self.pool_size if strides is None
                        else normalize_tuple(strides, self.rank, "strides", owner))
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"{owner}: padding must be 'valid' or 'same', received "
                             f"{padding!r}")
        self.padding = padding
        self.data_format = check_data_format(data_format, owner)

    def call(self, inputs):
        if inputs.ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2}, received shape {tuple(inputs.shape)}")
        x = to_channels_last(inputs, self.data_format)
        y = type(self).pool_function(x, self.pool_size, self.strides, self.padding)
        return from_channels_last(y, self.data_format)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(conv_output_length(n, p, s, self.padding)
                    for n, p, s in zip(spatial, self.pool_size, self.strides))
        if last:
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """The largest value in each window of ``pool_size`` steps (default 2, stride = pool).

    >>> MaxPooling1D(4)(np.zeros((2, 96, 64))).shape
    (2, 24, 64)
    """

    rank = 1
    pool_function = staticmethod(max_pool)


class MaxPooling2D(_Pooling):
    """The largest value in each ``pool_size`` window (default (2, 2), stride = pool)."""

    rank = 2
    pool_function = staticmethod(max_pool)


class MaxPooling3D(_Pooling):
    rank = 3
    pool_function = staticmethod(max_pool)


class AveragePooling1D(_Pooling):
    """The mean of each window of ``pool_size`` steps; with padding='same' the windows
    that overhang the edge average only their real elements."""

    rank = 1
    pool_function = staticmethod(avg_pool)


class AveragePooling2D(_Pooling):
    """The mean of each ``pool_size`` window (padding excluded from the count)."""

    rank = 2
    pool_function = staticmethod(avg_pool)


class AveragePooling3D(_Pooling):
    rank = 3
    pool_function = staticmethod(avg_pool)


class _GlobalPooling(Layer):
    """Reduce every spatial axis at once: (batch, *spatial, C) -> (batch, C)."""

    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def _axes(self, ndim):
        if ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2}, received rank {ndim}")
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        axes = self._axes(len(input_shape))
        if self.keepdims:
            return tuple(1 if i in axes else n for i, n in enumerate(input_shape))
        return tuple(n for i, n in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class _GlobalMax(_GlobalPooling):
    def call(self, inputs):
        return reduce_max(inputs, axis=self._axes(inputs.ndim), keepdims=self.keepdims)


class _GlobalAverage(_GlobalPooling):
    def call(self, inputs):
        return reduce_mean(inputs, axis=self._axes(inputs.ndim), keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalMax):
    """The maximum over all steps: (batch, steps, features) -> (batch, features)."""

    rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    """The maximum over the whole image: (batch, h, w, channels) -> (batch, channels)."""

    rank = 2


class GlobalMaxPooling3D(_GlobalMax):
    rank = 3


class GlobalAveragePooling1D(_GlobalAverage):
    """The mean over all steps: (batch, steps, features) -> (batch, features).

    With a mask (from ``Embedding(mask_zero=True)`` or ``Masking``) only the unmasked steps
    are averaged, as in Keras; the mask stops here.
    """

    rank = 1
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = self._axes(inputs.ndim)[0]
        weights = cast(mask, inputs.dtype)  # (batch, steps)
        weights = expand_dims(weights, -1 if self.data_format == "channels_last" else 1)
        total = reduce_sum(inputs * weights, axis=axis, keepdims=self.keepdims)
        count = reduce_sum(weights, axis=axis, keepdims=self.keepdims)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalAverage):
    """The mean over the whole image: (batch, h, w, channels) -> (batch, channels)."""

    rank = 2


class GlobalAveragePooling3D(_GlobalAverage):
    rank = 3


# Keras's short names
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D,
                                                     GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)

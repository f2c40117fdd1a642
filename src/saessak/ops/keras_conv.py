"""Keras 3's convolution and pooling functions, ``keras.ops.conv`` and its kin, with
Keras's signatures: a kernel without a bias, ``data_format`` (channels-first data is moved
to saessak's channels-last layout and back), and ``average_pool`` for ``avg_pool``.

The layers call the kernels in :mod:`.convolution`, :mod:`.transposed_convolution` and
:mod:`.pooling` directly, with their biases fused in; these are for programs.
"""

from __future__ import annotations

from . import convolution, pooling, transposed_convolution
from .data_format import check_data_format, from_channels_last, to_channels_last
from .keras_names import convert_to_tensor


def _spatial(inputs, data_format, owner):
    """The input as a Tensor, channels last, and the format to restore."""
    data_format = check_data_format(data_format, owner)
    x = convert_to_tensor(inputs)
    if x.ndim < 3:
        raise ValueError(f"{owner}: inputs need a batch axis, spatial axes and channels "
                         f"(rank >= 3), received shape {tuple(x.shape)}")
    return to_channels_last(x, data_format), data_format


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-d convolution: kernel (*kernel_size, C_in / groups, C_out); the groups are read
    off the kernel, as Keras does."""
    x, data_format = _spatial(inputs, data_format, "conv")
    kernel = convert_to_tensor(kernel)
    channels = x.shape[-1]
    groups = channels // kernel.shape[-2] if kernel.ndim == x.ndim else 0
    if not groups or channels % kernel.shape[-2] or kernel.shape[-1] % groups:
        raise ValueError(f"conv: a kernel of shape {tuple(kernel.shape)} does not fit inputs "
                         f"of shape {tuple(x.shape)} (channels last); expected (*kernel_size, "
                         "a divisor of the input channels, filters divisible by the groups)")
    y = convolution.conv(x, kernel, None, strides, padding, dilation_rate, groups=groups)
    return from_channels_last(y, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Each channel convolved with its own filters: kernel (*kernel_size, C, multiplier)."""
    x, data_format = _spatial(inputs, data_format, "depthwise_conv")
    y = convolution.depthwise_conv(x, convert_to_tensor(kernel), None, strides, padding,
                                   dilation_rate)
    return from_channels_last(y, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution, then a 1x1 convolution that mixes the channels."""
    x, data_format = _spatial(inputs, data_format, "separable_conv")
    h = convolution.depthwise_conv(x, convert_to_tensor(depthwise_kernel), None, strides,
                                   padding, dilation_rate)
    y = convolution.conv(h, convert_to_tensor(pointwise_kernel))
    return from_channels_last(y, data_format)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution: kernel (*kernel_size, C_out, C_in)."""
    x, data_format = _spatial(inputs, data_format, "conv_transpose")
    y = transposed_convolution.conv_transpose(x, convert_to_tensor(kernel), None, strides,
                                              padding, dilation_rate, output_padding)
    return from_channels_last(y, data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The largest value of each window (strides default to the pool size)."""
    x, data_format = _spatial(inputs, data_format, "max_pool")
    return from_channels_last(pooling.max_pool(x, pool_size, strides, padding), data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean of each window; with padding='same' over the real (not padded) values."""
    x, data_format = _spatial(inputs, data_format, "average_pool")
    return from_channels_last(pooling.avg_pool(x, pool_size, strides, padding), data_format)

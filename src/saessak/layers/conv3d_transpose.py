"""Conv3DTranspose: the transposed convolution over volumes (a 3-D decoder's upsampling).

The transposed-convolution machinery of :mod:`.convolutional` and
:func:`saessak.ops.transposed_convolution.conv_transpose` is written for any number of
spatial axes; this module gives it Keras 3's 3-D signature. Kernel
(kd, kh, kw, filters, channels), bias (filters,).

>>> Conv3DTranspose(4, 3, strides=2, padding='same')(np.zeros((1, 4, 5, 6, 2))).shape
(1, 8, 10, 12, 4)
"""

from __future__ import annotations

from .convolutional import ConvTranspose
from .layer import LAYERS

__all__ = ["Conv3DTranspose", "Convolution3DTranspose"]


class Conv3DTranspose(ConvTranspose):
    """Transposed 3-d convolution: (batch, depth, height, width, channels) ->
    (batch, depth', height', width', filters), each size about ``strides`` times larger.

    Arguments as Keras 3's (whose positional order puts ``data_format`` before
    ``output_padding``); ``output_padding`` (an int or three) picks among the output sizes a
    stride allows, and must be smaller than the strides.
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)


Convolution3DTranspose = Conv3DTranspose  # Keras's other name
LAYERS.register(Conv3DTranspose, "Convolution3DTranspose")

"""Convolution layers: Conv1D, Conv2D, their transposes, and the depthwise/separable kinds.

A convolution layer owns a kernel ``(*kernel_size, channels // groups, filters)`` and a bias
``(filters,)``; calling it slides the kernel over every spatial position of the input (see
:mod:`saessak.ops.convolution` for how that becomes one matrix product). Inputs are channels last,
``(batch, steps, channels)`` or ``(batch, height, width, channels)``, as Keras's default.

>>> Conv2D(16, (3, 3), strides=(2, 2))(np.zeros((1, 28, 28, 1))).shape
(1, 13, 13, 16)
"""

from __future__ import annotations

from .. import activations, constraints, initializers, regularizers
from ..ops import reshape
from ..ops.conv_utils import conv_output_length, deconv_output_length, normalize_tuple
from ..ops.convolution import conv, depthwise_conv
from ..ops.data_format import check_data_format, from_channels_last, to_channels_last
from ..ops.transposed_convolution import conv_transpose
from .layer import Layer


def _serialize(module, value):
    return {"init": initializers, "reg": regularizers, "con": constraints}[module].serialize(
        value)


class _Conv(Layer):
    """What every convolution shares: argument checks, data_format, bias, activation."""

    rank = 2
    transposed = False

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(f"{owner}: filters must be a positive integer, received "
                             f"{filters!r}")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, self.rank, "strides", owner)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", owner)
        padding = str(padding).lower()
        allowed = ("valid", "same", "causal") if self.rank == 1 and not self.transposed else (
            "valid", "same")
        if padding not in allowed:
            raise ValueError(f"{owner}: padding must be one of {allowed}, received {padding!r}")
        self.padding = padding
        self.data_format = check_data_format(data_format, owner)
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{owner}: groups must be a positive integer, received {groups!r}")
        if filters is not None and filters % groups:
            raise ValueError(f"{owner}: filters ({filters}) must be divisible by groups "
                             f"({groups})")
        self.groups = groups
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: strides > 1 cannot be combined with dilation_rate > 1; "
                             f"received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        # Resolved now, so a bad name fails here and get_config can serialize them.
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    # --- channels_first is handled by moving the channel axis last and back ----------------
    def _channels_last(self, x):
        return to_channels_last(x, self.data_format)

    def _restore_format(self, y):
        return from_channels_last(y, self.data_format)

    def _channels(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 2} (batch, {'steps' if self.rank == 1 else '...'}"
                             f", channels), received shape {tuple(input_shape)}")
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if c is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel axis must be "
                             f"known, received shape {tuple(input_shape)}")
        return c

    def _spatial(self, input_shape):
        if self.data_format == "channels_last":
            return tuple(input_shape[1:-1])
        return tuple(input_shape[2:])

    def _make_bias(self, n):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (n,), self.bias_initializer,
                                        self.bias_regularizer, constraint=self.bias_constraint)

    def _finish(self, y):
        return self._restore_format(self.activation(y))

    def _conv_spatial(self, input_shape):
        """The spatial output sizes of the (forward) convolution, None where unknown."""
        return [conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                zip(self._spatial(input_shape), self.kernel_size, self.strides,
                    self.dilation_rate)]

    def _output_shape(self, input_shape, spatial, channels):
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(spatial) + (channels,)
        return (input_shape[0], channels) + tuple(spatial)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _serialize("init", self.kernel_initializer),
                "bias_initializer": _serialize("init", self.bias_initializer),
                "kernel_regularizer": _serialize("reg", self.kernel_regularizer),
                "bias_regularizer": _serialize("reg", self.bias_regularizer),
                "activity_regularizer": _serialize("reg", self.activity_regularizer),
                "kernel_constraint": _serialize("con", self.kernel_constraint),
                "bias_constraint": _serialize("con", self.bias_constraint)}


class Conv(_Conv):
    """An N-d convolution layer; use :class:`Conv1D` or :class:`Conv2D`."""

    def build(self, input_shape):
        channels = self._channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input's {channels} "
                             f"channels must be divisible by groups ({self.groups})")
        self.kernel = self.add_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters),
            self.kernel_initializer, self.kernel_regularizer, constraint=self.kernel_constraint)
        self._make_bias(self.filters)
        self.input_channels = channels
        self.built = True

    def convolution_op(self, inputs, kernel):
        """The convolution alone, no bias or activation, in the layer's ``data_format``
        (Keras's hook): a subclass overrides it to convolve differently (a standardized
        kernel, say), or calls it from its own ``call`` with a kernel of its making."""
        y = conv(self._channels_last(inputs), kernel, None, self.strides, self.padding,
                 self.dilation_rate, self.groups)
        return self._restore_format(y)

    def call(self, inputs):
        x = self._channels_last(inputs)
        if x.shape[-1] != self.input_channels:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected "
                             f"{self.input_channels} input channels, received shape "
                             f"{tuple(inputs.shape)}")
        if type(self).convolution_op is not Conv.convolution_op:  # overridden: Keras's call
            y = self.convolution_op(inputs, self.kernel)
            if self.use_bias:
                y = y + (self.bias if self.data_format == "channels_last" else reshape(
                    self.bias, (self.filters,) + (1,) * self.rank))
            return self.activation(y)
        y = conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                 self.groups)  # the bias is added inside the convolution's own op
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self._conv_spatial(input_shape), self.filters)


class Conv1D(Conv):
    """1-d convolution over time: inputs (batch, steps, channels) -> (batch, steps', filters).

    ``padding='causal'`` pads only the front, so output t depends on inputs up to t
    (WaveNet-style). Kernel (kernel_size, channels // groups, filters).

    >>> Conv1D(64, 5, activation='relu')(np.zeros((2, 100, 8))).shape
    (2, 96, 64)
    """

    _sequence_input = True  # accepts Keras 2's input_length= and input_dim=

    rank = 1


class Conv2D(Conv):
    """2-d convolution over images: (batch, height, width, channels) -> (batch, h', w',
    filters). Kernel (kh, kw, channels // groups, filters), bias (filters,).

    >>> Conv2D(32, (3, 3), padding='same')(np.zeros((1, 28, 28, 1))).shape
    (1, 28, 28, 32)
    """

    rank = 2


class Conv3D(Conv):
    """3-d convolution over volumes: (batch, depth, height, width, channels)."""

    rank = 3


class ConvTranspose(_Conv):
    """The transposed convolution: each input pixel paints a kernel-sized patch of the
    output, so strides > 1 upsample. Kernel (*kernel_size, filters, channels)."""

    transposed = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)
        if output_padding is not None:
            if isinstance(output_padding, int):
                output_padding = (output_padding,) * self.rank
            output_padding = tuple(int(p) for p in output_padding)
            if len(output_padding) != self.rank or min(output_padding) < 0:
                raise ValueError(f"{type(self).__name__}: output_padding must be a "
                                 f"non-negative int or {self.rank} of them, received "
                                 f"{output_padding!r}")
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError(f"{type(self).__name__}: output_padding {output_padding} must "
                                 f"be smaller than strides {self.strides}")
        self.output_padding = output_padding

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight(
            "kernel", self.kernel_size + (self.filters, channels), self.kernel_initializer,
            self.kernel_regularizer, constraint=self.kernel_constraint)
        self._make_bias(self.filters)
        self.input_channels = channels
        self.built = True

    def call(self, inputs):
        x = self._channels_last(inputs)
        y = conv_transpose(x, self.kernel, self.bias, self.strides, self.padding,
                           self.dilation_rate, self.output_padding)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        op = self.output_padding or (None,) * self.rank
        spatial = [deconv_output_length(n, k, s, self.padding, d, p) for n, k, s, d, p in
                   zip(self._spatial(input_shape), self.kernel_size, self.strides,
                       self.dilation_rate, op)]
        return self._output_shape(input_shape, spatial, self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = (None if self.output_padding is None
                                    else list(self.output_padding))
        return config


class Conv1DTranspose(ConvTranspose):
    """Transposed 1-d convolution: (batch, steps, channels) -> (batch, steps', filters)."""

    rank = 1


class Conv2DTranspose(ConvTranspose):
    """Transposed 2-d convolution (upsampling by ``strides``); kernel (kh, kw, filters, in).

    >>> Conv2DTranspose(8, 3, strides=2, padding='same')(np.zeros((1, 7, 7, 4))).shape
    (1, 14, 14, 8)
    """

    rank = 2


class DepthwiseConv(_Conv):
    """Each input channel convolved on its own with ``depth_multiplier`` filters; output
    channel ``c * depth_multiplier + m``. Kernel 'depthwise_kernel' (*k, channels, M)."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"{type(self).__name__}: depth_multiplier must be a positive "
                             f"integer, received {depth_multiplier!r}")
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            self.kernel_initializer, self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self._make_bias(channels * self.depth_multiplier)
        self.input_channels = channels
        self.built = True

    def call(self, inputs):
        x = self._channels_last(inputs)
        y = depthwise_conv(x, self.depthwise_kernel, self.bias, self.strides, self.padding,
                           self.dilation_rate)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        channels = self._channels(input_shape) * self.depth_multiplier
        return self._output_shape(input_shape, self._conv_spatial(input_shape), channels)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups"):
            del config[key]
        for old, new in (("kernel_initializer", "depthwise_initializer"),
                         ("kernel_regularizer", "depthwise_regularizer"),
                         ("kernel_constraint", "depthwise_constraint")):
            config[new] = config.pop(old)
        config["depth_multiplier"] = self.depth_multiplier
        return config


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1-d convolution: kernel (k, channels, depth_multiplier)."""

    rank = 1


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2-d convolution: kernel (kh, kw, channels, depth_multiplier).

    >>> DepthwiseConv2D(3, depth_multiplier=2)(np.zeros((1, 8, 8, 3))).shape
    (1, 6, 6, 6)
    """

    rank = 2


class SeparableConv(_Conv):
    """A depthwise convolution followed by a pointwise (1x1) one mixing the channels: far
    fewer weights than a full convolution. Weights 'depthwise_kernel' (*k, C, M),
    'pointwise_kernel' (*1, C*M, filters), 'bias' (filters,)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"{type(self).__name__}: depth_multiplier must be a positive "
                             f"integer, received {depth_multiplier!r}")
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            self.kernel_initializer, self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier,
                                                    self.filters),
            self.pointwise_initializer, self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._make_bias(self.filters)
        self.input_channels = channels
        self.built = True

    def call(self, inputs):
        x = self._channels_last(inputs)
        h = depthwise_conv(x, self.depthwise_kernel, None, self.strides, self.padding,
                           self.dilation_rate)
        y = conv(h, self.pointwise_kernel, self.bias)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self._conv_spatial(input_shape), self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        for old, new in (("kernel_initializer", "depthwise_initializer"),
                         ("kernel_regularizer", "depthwise_regularizer"),
                         ("kernel_constraint", "depthwise_constraint")):
            config[new] = config.pop(old)
        config.update(depth_multiplier=self.depth_multiplier,
                      pointwise_initializer=_serialize("init", self.pointwise_initializer),
                      pointwise_regularizer=_serialize("reg", self.pointwise_regularizer),
                      pointwise_constraint=_serialize("con", self.pointwise_constraint))
        return config


class SeparableConv1D(SeparableConv):
    """Depthwise-separable 1-d convolution."""

    rank = 1


class SeparableConv2D(SeparableConv):
    """Depthwise-separable 2-d convolution.

    >>> SeparableConv2D(16, 3, padding='same')(np.zeros((1, 8, 8, 3))).shape
    (1, 8, 8, 16)
    """

    rank = 2


# Keras's older names
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

"""ConvLSTM1D/2D/3D: an LSTM whose states are images (or sequences, or volumes) and whose
products are convolutions.

Every step reads a frame ``x_t`` (rows, cols, channels) and keeps two states ``h`` and ``c``
of shape (rows', cols', filters). The LSTM's four gates, in Keras's order i, f, c, o, come
from two convolutions instead of two matrix products:

    z = conv(x_t, W, strides, padding) + conv(h, U, padding='same') + b
    i, f, g, o = split(z, 4)                         (along the channels)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)        h = sigmoid(o) * tanh(c)

so a pixel's memory depends on its neighbourhood. The steps run through ``RNN``'s loop, one
graph node per operation (there is no fused kernel).
"""

from __future__ import annotations

from ... import activations, backend, ops
from ...ops.conv_utils import conv_output_length, normalize_tuple
from ...ops.convolution import conv
from ..layer import Layer
from .cell import (
    WEIGHT_ARGUMENTS,
    DropoutRNNCell,
    forget_bias_initializer,
    set_weight_arguments,
    weight_arguments_config,
)
from .rnn import RNN


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One ConvLSTM step on frames (batch, *spatial, channels), ``rank`` spatial axes."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner, n = self._owner(), self.rank
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{owner}: only data_format='channels_last' is supported, "
                             f"received {data_format!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{owner}: padding must be 'valid' or 'same', received "
                             f"{padding!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size", owner)
        self.strides = normalize_tuple(strides, n, "strides", owner)
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate", owner)
        self.padding = padding
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        set_weight_arguments(self, **{k: v for k, v in locals().items()
                                      if k in WEIGHT_ARGUMENTS})
        self._init_dropout(dropout, recurrent_dropout, seed)
        self.state_size = None  # (*spatial', filters) twice, once the frame size is known

    def _owner(self):
        return f"ConvLSTM{self.rank}D"

    def build(self, input_shape):
        _, *spatial, channels = input_shape
        if None in (*spatial, channels) or len(spatial) != self.rank:
            raise ValueError(f"{self._owner()}: the frames' {self.rank} spatial sizes and "
                             f"channels must be known, received {tuple(input_shape)}")
        out = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate))
        self.state_size = [out + (self.filters,)] * 2
        self.output_size = out + (self.filters,)
        f4 = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, f4),
                                      self.kernel_initializer, self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, f4),
            self.recurrent_initializer, self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (f4,), self._bias_initializer(),
                                        self.bias_regularizer, constraint=self.bias_constraint)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.filters)

    def _dropped(self, x, h, training):
        """The step's inputs with the sequence's dropout masks applied (drawn at its first
        step: one mask of a frame's shape for x, one of the state's for h)."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return x, h
        if self._step_masks is None:
            def mask(rate, like):
                if rate == 0:
                    return None
                return backend.asarray(backend.dropout_mask(
                    self.dropout_rng, like.shape, rate, like.dtype))

            self._step_masks = (mask(self.dropout, x), mask(self.recurrent_dropout, h))
        x_mask, h_mask = self._step_masks
        return (x if x_mask is None else x * x_mask), (h if h_mask is None else h * h_mask)

    def call(self, inputs, states, training=None):
        h, c = states
        x, h_in = self._dropped(inputs, h, training)
        z = conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate)
        z = z + conv(h_in, self.recurrent_kernel, None, 1, "same", 1)
        i, f, g, o = ops.split(z, 4, axis=-1)
        act, gate = self.activation, self.recurrent_activation
        c = gate(f) * c + gate(i) * act(g)
        h = gate(o) * act(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": "channels_last",
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                **weight_arguments_config(self), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class ConvLSTM(RNN):
    """ConvLSTM over sequences of frames: inputs (batch, time, *spatial, channels) with
    ``rank`` spatial axes; outputs (batch, *spatial', filters), or with
    ``return_sequences`` one per step."""

    _cell_arguments_are_layer_arguments = True
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs)
                        if k not in ("unroll", "time_major")}
        cell = _CELLS[self.rank](
            filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
            recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, seed, name="conv_lstm_cell",
            dtype=layer_kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **layer_kwargs)

    def _check_input_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and not isinstance(
                input_shape[0], (int, type(None))):
            input_shape = input_shape[0]  # [inputs, *initial_states]
        shape = tuple(input_shape)
        if len(shape) != self.rank + 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of rank "
                             f"{self.rank + 3} (batch, time, {self.rank} spatial axes, "
                             f"channels), received {shape}")
        return shape

    def build(self, input_shape):
        shape = self._check_input_shape(input_shape)
        if not self.cell.built:
            self.cell.build((shape[0],) + shape[2:])
            self.cell.built = True
            for w in self.cell.weights:
                w.path = f"{self.name}/{w.path}"
        self.built = True


class ConvLSTM1DCell(ConvLSTMCell):
    rank = 1


class ConvLSTM2DCell(ConvLSTMCell):
    rank = 2


class ConvLSTM3DCell(ConvLSTMCell):
    rank = 3


_CELLS = {1: ConvLSTM1DCell, 2: ConvLSTM2DCell, 3: ConvLSTM3DCell}


class ConvLSTM1D(ConvLSTM):
    """Inputs (batch, time, steps, channels)."""

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """Inputs (batch, time, rows, cols, channels)."""

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """Inputs (batch, time, depth, rows, cols, channels)."""

    rank = 3

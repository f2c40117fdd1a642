"""GRU: the gated recurrent unit layer and its cell.

Weights in Keras's layout: kernel (in, 3u), recurrent_kernel (u, 3u), gates in the order
z (update), r (reset), h (candidate). With ``reset_after=True`` (the default, as in Keras 2
and 3) the bias is (2, 3u), an input bias and a recurrent bias; with ``reset_after=False``
it is (3u,). The layer runs as one fused op (:func:`saessak.ops.gru`).
"""

from __future__ import annotations

from ... import ops
from ...ops.gru import gru
from .cell import FusedCell
from .rnn import RNN


class GRUCell(FusedCell):
    """One GRU step: ``output, [h] = cell.call(x_t, [h])``."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, implementation=2,
                 seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.reset_after = bool(reset_after)
        self.implementation = implementation  # accepted; there is one implementation

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _fused_op(self, *args, **kwargs):
        return gru(*args, **kwargs)

    def _fused_kwargs(self):
        return {"reset_after": self.reset_after}

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        u = self.units
        x, h_in = self._step_inputs(inputs, h, training)
        input_bias, recurrent_bias = self.bias, None
        if self.bias is not None and self.reset_after:
            input_bias, recurrent_bias = self.bias[0], self.bias[1]
        a = ops.linear(x, self.kernel, input_bias)  # x W + b_in, the three gates
        if self.reset_after:
            m = ops.matmul(h_in, self.recurrent_kernel)
            if recurrent_bias is not None:
                m = m + recurrent_bias
            z = self.recurrent_activation(a[:, :u] + m[:, :u])
            r = self.recurrent_activation(a[:, u:2 * u] + m[:, u:2 * u])
            hh = self.activation(a[:, 2 * u:] + r * m[:, 2 * u:])
        else:
            zr = a[:, :2 * u] + ops.matmul(h_in, self.recurrent_kernel[:, :2 * u])
            z = self.recurrent_activation(zr[:, :u])
            r = self.recurrent_activation(zr[:, u:])
            hh = self.activation(a[:, 2 * u:]
                                 + ops.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:]))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after,
                "implementation": self.implementation}


class GRU(RNN):
    """Gated recurrent unit (Cho et al., 2014), with Keras's arguments.

    >>> layer = GRU(32)                 # Jena: 14 features -> 3 (14 + 32 + 2) 32 = 4,608
    >>> layer(np.zeros((2, 120, 14))).shape
    (2, 32)
    """

    _cell_arguments_are_layer_arguments = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 implementation=2, seed=None, **kwargs):
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout,
                       recurrent_dropout=recurrent_dropout, reset_after=reset_after,
                       implementation=implementation, seed=seed, dtype=kwargs.get("dtype"))
        super().__init__(cell, activity_regularizer=activity_regularizer, **kwargs)

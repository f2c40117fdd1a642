"""LSTM: the long short-term memory layer and its cell.

Weights in Keras's layout: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u,), gates in
the order i (input), f (forget), c (candidate), o (output). The layer runs as one fused op
(:func:`saessak.ops.lstm`); see that module for the equations.
"""

from __future__ import annotations

from ... import ops
from ...ops.lstm import lstm
from .cell import FusedCell, forget_bias_initializer
from .rnn import RNN


class LSTMCell(FusedCell):
    """One LSTM step: ``output, [h, c] = cell.call(x_t, [h, c])``.

    ``unit_forget_bias=True`` starts the forget gate's bias at 1 (so the cell remembers by
    default), as Keras does.
    """

    gates = 4
    n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, implementation=2,
                 seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = implementation  # accepted; there is one implementation

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.units)

    def _fused_op(self, *args, **kwargs):
        return lstm(*args, **kwargs)

    def call(self, inputs, states, training=None):
        h, c = states
        u = self.units
        x, h_in = self._step_inputs(inputs, h, training)
        z = ops.linear(x, self.kernel, self.bias) + ops.matmul(h_in, self.recurrent_kernel)
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        g = self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        c = f * c + i * g
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias,
                "implementation": self.implementation}


class LSTM(RNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), with Keras's arguments.

    >>> layer = LSTM(8, return_sequences=True)
    >>> layer(np.zeros((4, 10, 3))).shape        # 4 (3 + 8 + 1) 8 = 384 weights
    (4, 10, 8)
    """

    _cell_arguments_are_layer_arguments = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, implementation=2, seed=None, **kwargs):
        cell = LSTMCell(units, activation=activation,
                        recurrent_activation=recurrent_activation, use_bias=use_bias,
                        kernel_initializer=kernel_initializer,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                        kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, implementation=implementation,
                        seed=seed, dtype=kwargs.get("dtype"))
        super().__init__(cell, activity_regularizer=activity_regularizer, **kwargs)

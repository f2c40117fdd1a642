"""SimpleRNN: the fully connected recurrent layer and its cell.

    h_t = activation(x_t W + h_{t-1} U + b)       kernel (in, u), recurrent_kernel (u, u)

The output at each step is the state itself. The layer runs as one fused op
(:func:`saessak.ops.simple_rnn`).
"""

from __future__ import annotations

from ... import ops
from ...ops.simple_rnn import simple_rnn
from .cell import FusedCell
from .rnn import RNN


class SimpleRNNCell(FusedCell):
    """One SimpleRNN step: ``output, [h] = cell.call(x_t, [h])``."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, "sigmoid", use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)

    def _fused_op(self, *args, recurrent_activation=None, **kwargs):
        return simple_rnn(*args, **kwargs)

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        x, h_in = self._step_inputs(inputs, h, training)
        h = self.activation(ops.linear(x, self.kernel, self.bias)
                            + ops.matmul(h_in, self.recurrent_kernel))
        return h, [h]


class SimpleRNN(RNN):
    """A fully connected RNN whose output is fed back as the next step's state.

    >>> layer = SimpleRNN(32)          # after Embedding(10000, 32): 32 (32 + 32 + 1) = 2,080
    >>> layer(np.zeros((2, 7, 32))).shape
    (2, 32)
    """

    _cell_arguments_are_layer_arguments = True

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"))
        super().__init__(cell, activity_regularizer=activity_regularizer, **kwargs)

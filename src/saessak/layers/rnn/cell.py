"""The cell protocol, and what the built-in cells (SimpleRNN, LSTM, GRU) share.

A *cell* computes one time step: ``output, new_states = cell.call(x_t, states)``, with
``cell.state_size`` (an int, or a list of ints, one per state) and ``cell.output_size``.
Any object with that protocol can be run over a sequence by :class:`~.rnn.RNN`. The
built-in cells also offer ``sequence_call``, which runs the whole sequence as one fused op
from :mod:`saessak.ops.lstm` and friends; ``RNN`` uses it whenever the cell can.
"""

from __future__ import annotations

import numpy as np

from ... import activations, backend, constraints, initializers, regularizers
from ...autograd import Tensor
from ...ops.rnn import fused_activation_name, make_dropout_mask
from ..layer import Layer

WEIGHT_ARGUMENTS = ("kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint")
_KINDS = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}


def set_weight_arguments(cell, **arguments):
    """A recurrent cell's ``kernel_/recurrent_/bias_`` initializers, regularizers and
    constraints, each resolved by its module's ``get``."""
    for name, value in arguments.items():
        setattr(cell, name, _KINDS[name.rsplit("_", 1)[1]].get(value))


def weight_arguments_config(cell) -> dict:
    """The config entries of :func:`set_weight_arguments`'s nine arguments."""
    return {name: _KINDS[name.rsplit("_", 1)[1]].serialize(getattr(cell, name))
            for name in WEIGHT_ARGUMENTS}


def forget_bias_initializer(base, units):
    """LSTM's ``unit_forget_bias``: the bias of the gates i, f, c, o is ``base`` everywhere
    but the forget gate's, which starts at ones, so a new cell remembers by default."""
    def bias_with_forget_ones(shape, dtype=None):  # [init(u), ones(u), init(2u)]
        return np.concatenate([np.asarray(base((units,), dtype=dtype)), np.ones(units, dtype),
                               np.asarray(base((2 * units,), dtype=dtype))])

    return bias_with_forget_ones


def as_list(x):
    """A state size or a list of states, as a list (``None`` is empty)."""
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


class DropoutRNNCell:
    """Mixin for cells with ``dropout`` and ``recurrent_dropout``.

    The masks are drawn once per sequence (Keras's "variational" dropout: the same units of
    the input and of the state are dropped at every step) from ``self.dropout_rng``, a
    generator seeded by the cell's ``seed`` argument.
    """

    def _init_dropout(self, dropout, recurrent_dropout, seed):
        for arg, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(value) < 1.0:
                raise ValueError(f"{type(self).__name__}: {arg} must be a float in [0, 1), "
                                 f"received {value!r}")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.dropout_rng = backend.make_rng(seed)
        self._step_masks = None

    def dropout_masks(self, batch, features, training, dtype):
        """(input mask or None, state mask or None) for one sequence."""
        def draw(rate, width):
            if not training or rate == 0.0:
                return None
            mask = make_dropout_mask((batch, width), rate, self.dropout_rng, dtype)
            return backend.asarray(mask)

        return draw(self.dropout, features), draw(self.recurrent_dropout, self.units)

    def reset_dropout_mask(self):
        """Forget the masks of the step-by-step path: the next sequence draws new ones."""
        self._step_masks = None

    reset_recurrent_dropout_mask = reset_dropout_mask

    def _masks_for_step(self, inputs, training):
        if self._step_masks is None:
            self._step_masks = self.dropout_masks(inputs.shape[0], inputs.shape[-1],
                                                  training, inputs.dtype)
        return self._step_masks


class FusedCell(DropoutRNNCell, Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: the Keras arguments, the weights
    (kernel (in, gates*u), recurrent_kernel (u, gates*u), bias) and ``sequence_call``, the
    fused whole-sequence path. Subclasses set ``gates`` and ``_fused_op`` and write ``call``
    (one step, with saessak ops) for cells whose activations cannot be fused."""

    gates = 1
    n_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kind = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{kind}: units must be a positive integer, received {units!r}")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        set_weight_arguments(self, **{k: v for k, v in locals().items()
                                      if k in WEIGHT_ARGUMENTS})
        self._init_dropout(dropout, recurrent_dropout, seed)

    @property
    def state_size(self):
        return self.units if self.n_states == 1 else [self.units] * self.n_states

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        features = input_shape[-1]
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer,
                                      self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer,
            self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), self._bias_initializer(),
                                        self.bias_regularizer, constraint=self.bias_constraint)
        for w in self._own_weights:  # e.g. an orthogonal matrix may arrive as a transposed view
            w.data = backend.xp().ascontiguousarray(w.data)
        self.built = True

    def get_initial_state(self, batch_size=None, dtype=None):
        if hasattr(batch_size, "shape"):  # tf.keras 2 passes the inputs themselves
            batch_size = batch_size.shape[0]
        dtype = dtype or self.dtype
        zeros = [Tensor(backend.xp().zeros((batch_size, self.units), dtype))
                 for _ in range(self.n_states)]
        return zeros if self.n_states > 1 else zeros[0]

    def _fused_kwargs(self):
        """Extra keyword arguments of the fused op (GRU: reset_after)."""
        return {}

    def sequence_call(self, inputs, states, *, mask, training, go_backwards, return_sequences,
                      zero_output_for_mask):
        """The whole sequence as one fused op; None when an activation cannot be fused."""
        act = fused_activation_name(self.activation)
        rec_act = fused_activation_name(self.recurrent_activation)
        if act is None or rec_act is None:
            return None
        input_mask, state_mask = self.dropout_masks(inputs.shape[0], inputs.shape[-1],
                                                    training, inputs.dtype)
        kwargs = dict(mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                      zero_output_for_mask=zero_output_for_mask, input_dropout=input_mask,
                      state_dropout=state_mask, activation=act, **self._fused_kwargs())
        if self.gates > 1:
            kwargs["recurrent_activation"] = rec_act
        outs = self._fused_op(inputs, self.kernel, self.recurrent_kernel, self.bias,
                              states, **kwargs)
        return outs[0], list(outs[1:])

    def _step_inputs(self, inputs, h, training):
        """The step's input and state after dropout (masks fixed for the sequence)."""
        input_mask, state_mask = self._masks_for_step(inputs, training)
        if input_mask is not None:
            inputs = inputs * input_mask
        if state_mask is not None:
            h = h * state_mask
        return inputs, h

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias, **weight_arguments_config(self),
                  "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                  "seed": self.seed}
        if self.gates > 1:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return config

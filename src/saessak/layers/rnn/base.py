"""The recurrent layer wrapper ``RNN(cell)``, the cell protocol, and ``StackedRNNCells``.

A *cell* computes one time step: ``output, new_states = cell.call(x_t, states)``, with
``cell.state_size`` (an int, or a list of ints, one per state) and ``cell.output_size``.
``RNN`` runs a cell over the time axis of a ``(batch, time, features)`` input, handling
masks (a masked step keeps the previous output and states), ``go_backwards``,
``return_sequences``, ``return_state``, ``stateful`` and ``initial_state``.

Any object with that protocol works, and ``RNN`` then loops over the time steps in Python,
building the graph step by step. The built-in cells (SimpleRNN, LSTM, GRU) also offer
``sequence_call``, which runs the whole sequence as one fused op from
:mod:`saessak.ops.lstm` and friends; ``RNN`` uses it whenever the cell can.
"""

from __future__ import annotations

import numpy as np

from ... import activations, backend, constraints, initializers, ops, regularizers
from ...autograd import Tensor
from ...ops.rnn import fused_activation_name, make_dropout_mask
from ..layer import Layer


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _mask_array(mask):
    """A (batch, time) boolean array from a mask given as a Tensor or an array (or None)."""
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):  # several inputs: the first one's mask
        return _mask_array(mask[0])
    return np.asarray(backend.to_numpy(getattr(mask, "data", mask)), dtype=bool)


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
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
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
                  "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                  "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                  "kernel_constraint": constraints.serialize(self.kernel_constraint),
                  "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                  "bias_constraint": constraints.serialize(self.bias_constraint),
                  "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                  "seed": self.seed}
        if self.gates > 1:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return config


class RNN(Layer):
    """Run a cell (or a list of cells, stacked) over the time axis of its input.

    >>> layer = RNN(LSTMCell(8), return_sequences=True)
    >>> layer(np.zeros((4, 10, 3))).shape
    (4, 10, 8)
    """

    _sequence_input = True  # accepts Keras 2's input_length= and input_dim=

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, zero_output_for_mask=False,
                 activity_regularizer=None, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"{type(self).__name__}: cell must have a call(inputs, states) "
                             f"method and a state_size attribute, received {cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # accepted for Keras compatibility; loops are not unrolled
        self.time_major = bool(time_major)
        # Bidirectional sets this so that both directions' sequences line up at masked steps.
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.states = None  # the carried states of a stateful layer (arrays)

    def __getattr__(self, name):
        # LSTM(...).units, .dropout, .kernel ... are the cell's, as in Keras.
        cell = self.__dict__.get("cell")
        if cell is None or name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(cell, name)
        except AttributeError:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute "
                                 f"{name!r}") from None

    supports_masking = True

    @property
    def state_sizes(self) -> list[int]:
        return [int(s) for s in _as_list(self.cell.state_size)]

    @property
    def output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        return int(size if size is not None else self.state_sizes[0])

    def _check_input_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and not isinstance(input_shape[0],
                                                                            (int, type(None))):
            input_shape = input_shape[0]  # [inputs, *initial_states]
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of shape "
                             f"(batch, time, features), received {shape}")
        if self.time_major:
            shape = (shape[1], shape[0], shape[2])
        return shape

    def build(self, input_shape):
        shape = self._check_input_shape(input_shape)
        if shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the feature axis of the "
                             f"input must be known, received shape {shape}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((shape[0], shape[-1]))
            self.cell.built = True
            for w in self.cell.weights:  # 'lstm/lstm_cell/kernel', as Keras names them
                w.path = f"{self.name}/{w.path}"
        self.built = True

    # --- calling ----------------------------------------------------------------------------
    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, (list, tuple)):  # RNN()([x, h0, c0]) passes states this way
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if inputs.ndim != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of shape "
                             f"(batch, time, features), received shape {inputs.shape}")
        if self.time_major:
            inputs = ops.swapaxes(inputs, 0, 1)
        mask = _mask_array(mask)
        batch = inputs.shape[0]
        states = self._initial_states(batch, initial_state, inputs.dtype)

        fused = getattr(self.cell, "sequence_call", None)
        result = None
        if fused is not None:
            result = fused(inputs, states, mask=mask, training=training,
                           go_backwards=self.go_backwards,
                           return_sequences=self.return_sequences,
                           zero_output_for_mask=self.zero_output_for_mask)
        if result is None:
            result = self._loop(inputs, states, mask, training)
        output, final_states = result

        if self.stateful:
            self.states = [backend.to_numpy(s.data).copy() for s in final_states]
        if self.time_major and self.return_sequences:
            output = ops.swapaxes(output, 0, 1)
        if self.return_state:
            return [output] + list(final_states)
        return output

    def _initial_states(self, batch, initial_state, dtype):
        """The states to start from: given, carried over (stateful) or zeros (None)."""
        given = _as_list(initial_state)
        if given:
            if len(given) != len(self.state_sizes):
                raise ValueError(f"{type(self).__name__} {self.name!r}: expected "
                                 f"{len(self.state_sizes)} initial state(s) of sizes "
                                 f"{self.state_sizes}, received {len(given)}")
            out = []
            for s, size in zip(given, self.state_sizes):
                s = s if isinstance(s, Tensor) else Tensor(backend.asarray(s, dtype))
                if tuple(s.shape) != (batch, size):
                    raise ValueError(f"{type(self).__name__} {self.name!r}: an initial state "
                                     f"must have shape {(batch, size)}, received {s.shape}")
                out.append(s)
            return out
        if self.stateful and self.states is not None:
            if self.states[0].shape[0] != batch:
                raise ValueError(f"{type(self).__name__} {self.name!r}: a stateful layer "
                                 f"needs the same batch size in every call; the states hold "
                                 f"{self.states[0].shape[0]} rows, received {batch}. Give "
                                 f"the layer batch_input_shape or call reset_states()")
            return [Tensor(backend.asarray(s)) for s in self.states]
        return None  # zeros, made by the cell

    def reset_states(self, states=None):
        """Zero the carried states of a stateful layer (or set them to ``states``)."""
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} {self.name!r}: reset_states() needs "
                                 "a layer created with stateful=True")
        if states is None:
            self.states = None
            batch = (self._batch_input_shape or (None,))[0]
            if batch is not None:
                self.states = [np.zeros((batch, n), self.dtype) for n in self.state_sizes]
            return
        states = _as_list(states)
        if len(states) != len(self.state_sizes):
            raise ValueError(f"{type(self).__name__} {self.name!r}: reset_states expected "
                             f"{len(self.state_sizes)} arrays, received {len(states)}")
        self.states = [np.array(backend.to_numpy(getattr(s, "data", s)), self.dtype)
                       for s in states]

    def _loop(self, inputs, states, mask, training):
        """The step-by-step path: the cell's own ``call`` at every step, as a graph."""
        cell = self.cell
        batch, steps = inputs.shape[0], inputs.shape[1]
        if states is None:
            states = [Tensor(backend.xp().zeros((batch, n), inputs.dtype))
                      for n in self.state_sizes]
        if hasattr(cell, "reset_dropout_mask"):
            cell.reset_dropout_mask()
        takes_training = "training" in getattr(cell, "_call_takes", ())
        prev_output = Tensor(backend.xp().zeros((batch, self.output_size), inputs.dtype))
        outputs = []
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        for t in order:
            x_t = inputs[:, t]
            if takes_training:
                output, new_states = cell.call(x_t, states, training=training)
            else:
                output, new_states = cell.call(x_t, states)
            new_states = _as_list(new_states)
            if mask is not None:  # a masked step keeps the previous output and states
                keep = backend.asarray(mask[:, t:t + 1])
                new_states = [ops.where(keep, s_new, s_old)
                              for s_new, s_old in zip(new_states, states)]
                kept_output = ops.where(keep, output, prev_output)
                output = (ops.where(keep, output, 0.0) if self.zero_output_for_mask
                          else kept_output)
                prev_output = kept_output
            else:
                prev_output = output
            states = new_states
            outputs.append(output)
        if self.return_sequences:
            return ops.stack(outputs, axis=1), states
        return prev_output, states

    # --- shapes, masks, config ------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        batch, steps, _ = self._check_input_shape(input_shape)
        if self.return_sequences:
            out = ((steps, batch, self.output_size) if self.time_major
                   else (batch, steps, self.output_size))
        else:
            out = (batch, self.output_size)
        if self.return_state:
            return [out] + [(batch, n) for n in self.state_sizes]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_sizes)
        return output_mask

    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "unroll": self.unroll,
                  "time_major": self.time_major,
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = True
        if type(self) is RNN:
            config["cell"] = {"class_name": type(self.cell).__name__,
                              "config": self.cell.get_config()}
        else:  # LSTM(...) and friends: the cell's arguments are the layer's
            cell_config = self.cell.get_config()
            for key in ("name", "trainable", "dtype", "batch_input_shape"):
                cell_config.pop(key, None)
            config.update(cell_config)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is RNN:
            config["cell"] = _cell_from_config(config["cell"])
        return cls(**config)


def _cell_from_config(spec):
    from . import gru, lstm, simple_rnn

    known = {c.__name__: c for c in (simple_rnn.SimpleRNNCell, lstm.LSTMCell, gru.GRUCell,
                                     StackedRNNCells)}
    if spec["class_name"] not in known:
        raise ValueError(f"RNN.from_config: unknown cell class {spec['class_name']!r}")
    return known[spec["class_name"]].from_config(spec["config"])


class StackedRNNCells(Layer):
    """Several cells acting as one: each step runs them in turn, each feeding the next.

    The states are those of every cell, in order. Run over a sequence by ``RNN``, the
    stack is the same as a stack of recurrent layers with ``return_sequences=True``.
    """

    def __init__(self, cells, **kwargs):
        cells = list(cells)
        for c in cells:
            if not hasattr(c, "call") or not hasattr(c, "state_size"):
                raise ValueError(f"StackedRNNCells: every cell needs call() and state_size, "
                                 f"received {c!r}")
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        return [n for c in self.cells for n in _as_list(c.state_size)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or _as_list(last.state_size)[0]

    def build(self, input_shape):
        batch, features = input_shape[0], input_shape[-1]
        for c in self.cells:
            if isinstance(c, Layer) and not c.built:
                c.build((batch, features))
                c.built = True
            features = getattr(c, "output_size", None) or _as_list(c.state_size)[0]
        self.built = True

    def _split_states(self, states):
        out, i = [], 0
        for c in self.cells:
            n = len(_as_list(c.state_size))
            out.append(list(states[i:i + n]))
            i += n
        return out

    def reset_dropout_mask(self):
        for c in self.cells:
            if hasattr(c, "reset_dropout_mask"):
                c.reset_dropout_mask()

    def call(self, inputs, states, training=None):
        new_states = []
        for c, s in zip(self.cells, self._split_states(list(states))):
            if "training" in getattr(c, "_call_takes", ()):
                inputs, s = c.call(inputs, s, training=training)
            else:
                inputs, s = c.call(inputs, s)
            new_states.extend(_as_list(s))
        return inputs, new_states

    def sequence_call(self, inputs, states, *, mask, training, go_backwards, return_sequences,
                      zero_output_for_mask):
        """Each cell over the whole sequence in turn (fused, when every cell can be)."""
        if not all(hasattr(c, "sequence_call") for c in self.cells):
            return None
        split = (self._split_states(states) if states is not None
                 else [None] * len(self.cells))
        finals = []
        x = inputs
        for k, (c, s) in enumerate(zip(self.cells, split)):
            last = k == len(self.cells) - 1
            result = c.sequence_call(
                x, s, mask=mask, training=training, go_backwards=go_backwards and k == 0,
                return_sequences=return_sequences or not last,
                zero_output_for_mask=zero_output_for_mask and last)
            if result is None:
                return None
            x, cell_states = result
            finals.extend(cell_states)
            if go_backwards and k == 0 and mask is not None:
                mask = mask[:, ::-1]  # the later cells read the reversed sequence
        return x, finals

    def get_config(self):
        cells = [{"class_name": type(c).__name__, "config": c.get_config()}
                 for c in self.cells]
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cells"] = [_cell_from_config(spec) for spec in config["cells"]]
        return cls(**config)

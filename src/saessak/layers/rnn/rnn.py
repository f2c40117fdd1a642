"""The recurrent layer wrapper ``RNN(cell)``: a cell run over the time axis.

``RNN`` runs a cell (:mod:`.cell`) over the time axis of a ``(batch, time, features)``
input, handling masks (a masked step keeps the previous output and states),
``go_backwards``, ``return_sequences``, ``return_state``, ``stateful`` and
``initial_state``. A cell with ``sequence_call`` runs the whole sequence as one fused op;
any other cell is looped over in Python, building the graph step by step.

A cell of one's own may take nested inputs and keep states that are not vectors, as in the
Keras guide "Working with RNNs": ``RNN(cell)((x1, x2))`` with a *tuple* of sequences hands
the cell a tuple of steps, and a ``state_size`` or ``output_size`` given as a list of shapes
(``[TensorShape([10]), TensorShape([20, 30])]``) gives states and outputs of those shapes.
A *list* ``[x, h0, c0]`` is Keras 2's way of passing the initial states instead.
"""

from __future__ import annotations

import numpy as np

from ... import backend, ops, regularizers
from ...autograd import Tensor
from ..layer import Layer
from ..serialization import deserialize, serialize
from .cell import as_list
from .stacked_rnn_cells import StackedRNNCells


def _dims(size) -> tuple:
    """One sample's shape from a state or output size: ``8 -> (8,)``, ``TensorShape([2, 3])``
    or ``[2, 3] -> (2, 3)``."""
    if isinstance(size, (int, np.integer)):
        return (int(size),)
    dims = size.as_list() if hasattr(size, "as_list") else list(size)
    return tuple(int(d) for d in dims)


def _first(structure):
    """The first sequence of an input that may be a tuple of them."""
    return structure[0] if isinstance(structure, tuple) else structure


def _each(fn, structure):
    """``fn`` on every sequence (or step, or output) of a structure that may be a tuple."""
    return tuple(fn(a) for a in structure) if isinstance(structure, tuple) else fn(structure)


def _where(keep, new, old):
    """``new`` where the step is kept, else ``old``: ``keep`` is (batch, 1), broadcast along
    every axis of a state or output of any rank."""
    shape = keep.shape[:1] + (1,) * (new.ndim - 1)
    return ops.where(keep.reshape(shape), new, old)


def _pairwise(fn, a, b):
    """``fn`` on matching members of two structures that may be tuples."""
    return tuple(fn(x, y) for x, y in zip(a, b)) if isinstance(a, tuple) else fn(a, b)


def _mask_array(mask):
    """A (batch, time) boolean array from a mask given as a Tensor or an array (or None)."""
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):  # several inputs: the first one's mask
        return _mask_array(mask[0])
    return np.asarray(backend.to_numpy(getattr(mask, "data", mask)), dtype=bool)


class RNN(Layer):
    """Run a cell (or a list of cells, stacked) over the time axis of its input.

    >>> layer = RNN(LSTMCell(8), return_sequences=True)
    >>> layer(np.zeros((4, 10, 3))).shape
    (4, 10, 8)
    """

    _sequence_input = True  # accepts Keras 2's input_length= and input_dim=
    # LSTM, GRU and SimpleRNN take their cell's arguments themselves (LSTM(units=...)), and
    # their configs hold those; RNN(cell) and a user's subclass of it save the cell instead
    _cell_arguments_are_layer_arguments = False

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
    def state_shapes(self) -> list[tuple]:
        """Each state's shape for one sample: ``(units,)`` for the usual vector states."""
        return [_dims(s) for s in as_list(self.cell.state_size)]

    @property
    def state_sizes(self) -> list:
        """Each state's size: an int for a vector state, its shape otherwise."""
        return [s[0] if len(s) == 1 else s for s in self.state_shapes]

    @property
    def output_size(self):
        """The size of one step's output (an int), or for a cell with several outputs a
        tuple of their shapes."""
        size = getattr(self.cell, "output_size", None)
        if size is None:
            return self.state_sizes[0]
        if isinstance(size, (list, tuple)) and not all(
                isinstance(n, (int, np.integer)) for n in size):  # several outputs
            return tuple(_dims(s) for s in size)
        dims = _dims(size)
        return dims[0] if len(dims) == 1 else dims

    def _output_shapes(self, lead):
        """The output's shape(s), given its leading axes (batch, or batch and time)."""
        size = self.output_size
        if isinstance(size, tuple) and size and isinstance(size[0], tuple):
            return tuple(lead + dims for dims in size)
        return lead + (size if isinstance(size, tuple) else (size,))

    def _check_input_shape(self, input_shape):
        """(batch, time, features) of the input, or for a tuple of sequences a tuple of
        (batch, time, *features); time-major inputs are given back batch-major."""
        if isinstance(input_shape, list) and input_shape and not isinstance(input_shape[0],
                                                                            (int, type(None))):
            input_shape = input_shape[0]  # [inputs, *initial_states]
        nested = isinstance(input_shape, tuple) and input_shape and all(
            isinstance(s, (tuple, list)) for s in input_shape)
        shapes = [tuple(s) for s in input_shape] if nested else [tuple(input_shape)]
        for shape in shapes:
            if len(shape) != 3 and not (nested and len(shape) > 3):
                raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of "
                                 f"shape (batch, time, features), received {shape}")
        if self.time_major:
            shapes = [(s[1], s[0]) + s[2:] for s in shapes]
        return tuple(shapes) if nested else shapes[0]

    def build(self, input_shape):
        shape = self._check_input_shape(input_shape)
        nested = isinstance(shape[0], tuple)
        for each in shape if nested else [shape]:
            if None in each[2:]:
                raise ValueError(f"{type(self).__name__} {self.name!r}: the feature axes of "
                                 f"the input must be known, received shape {each}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            # the cell sees one step: (batch, features), or a tuple of (batch, *features)
            step = tuple(s[:1] + s[2:] for s in shape) if nested else (shape[0], shape[-1])
            self.cell.build(step)
            self.cell.built = True
            for w in self.cell.weights:  # 'lstm/lstm_cell/kernel', as Keras names them
                w.path = f"{self.name}/{w.path}"
        self.built = True

    # --- calling ----------------------------------------------------------------------------
    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, list):  # RNN()([x, h0, c0]) passes states this way (Keras 2)
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        self._check_input_shape(_each(lambda a: tuple(a.shape), inputs))
        if self.time_major:
            inputs = _each(lambda a: ops.swapaxes(a, 0, 1), inputs)
        mask = _mask_array(mask)
        batch = _first(inputs).shape[0]
        states = self._initial_states(batch, initial_state, _first(inputs).dtype)

        fused = None if isinstance(inputs, tuple) else getattr(self.cell, "sequence_call", None)
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
            output = _each(lambda a: ops.swapaxes(a, 0, 1), output)
        if self.return_state:
            return [output] + list(final_states)
        return output

    def _initial_states(self, batch, initial_state, dtype):
        """The states to start from: given, carried over (stateful) or zeros (None)."""
        given = as_list(initial_state)
        if given:
            if len(given) != len(self.state_shapes):
                raise ValueError(f"{type(self).__name__} {self.name!r}: expected "
                                 f"{len(self.state_shapes)} initial state(s) of sizes "
                                 f"{self.state_sizes}, received {len(given)}")
            out = []
            for s, dims in zip(given, self.state_shapes):
                s = s if isinstance(s, Tensor) else Tensor(backend.asarray(s, dtype))
                if tuple(s.shape) != (batch,) + dims:
                    raise ValueError(f"{type(self).__name__} {self.name!r}: an initial state "
                                     f"must have shape {(batch,) + dims}, received {s.shape}")
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
                self.states = [np.zeros((batch,) + dims, self.dtype)
                               for dims in self.state_shapes]
            return
        states = as_list(states)
        if len(states) != len(self.state_shapes):
            raise ValueError(f"{type(self).__name__} {self.name!r}: reset_states expected "
                             f"{len(self.state_shapes)} arrays, received {len(states)}")
        self.states = [np.array(backend.to_numpy(getattr(s, "data", s)), self.dtype)
                       for s in states]

    def _loop(self, inputs, states, mask, training):
        """The step-by-step path: the cell's own ``call`` at every step, as a graph."""
        cell = self.cell
        batch, steps = _first(inputs).shape[:2]
        dtype, zeros = _first(inputs).dtype, backend.xp().zeros
        if states is None:
            states = [Tensor(zeros((batch,) + dims, dtype)) for dims in self.state_shapes]
        if hasattr(cell, "reset_dropout_mask"):
            cell.reset_dropout_mask()
        takes_training = "training" in getattr(cell, "_call_takes", ())
        shapes = self._output_shapes((batch,))
        prev_output = (tuple(Tensor(zeros(shape, dtype)) for shape in shapes)
                       if isinstance(shapes[0], tuple) else Tensor(zeros(shapes, dtype)))
        outputs = []
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        for t in order:
            x_t = _each(lambda a, t=t: a[:, t], inputs)
            if takes_training:
                output, new_states = cell.call(x_t, states, training=training)
            else:
                output, new_states = cell.call(x_t, states)
            new_states = as_list(new_states)
            if isinstance(output, list):  # a cell's several outputs, as a tuple throughout
                output = tuple(output)
            if mask is not None:  # a masked step keeps the previous output and states
                keep = backend.asarray(mask[:, t:t + 1])
                new_states = [_where(keep, s_new, s_old)
                              for s_new, s_old in zip(new_states, states)]
                kept_output = _pairwise(lambda o, p, k=keep: _where(k, o, p), output, prev_output)
                output = (_each(lambda o, k=keep: _where(k, o, 0.0), output)
                          if self.zero_output_for_mask else kept_output)
                prev_output = kept_output
            else:
                prev_output = output
            states = new_states
            outputs.append(output)
        if self.return_sequences:
            if isinstance(outputs[0], tuple):
                return tuple(ops.stack(list(o), axis=1) for o in zip(*outputs)), states
            return ops.stack(outputs, axis=1), states
        return prev_output, states

    # --- shapes, masks, config ------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        shape = self._check_input_shape(input_shape)
        batch, steps = (shape[0] if isinstance(shape[0], tuple) else shape)[:2]
        if self.return_sequences:
            out = self._output_shapes((steps, batch) if self.time_major else (batch, steps))
        else:
            out = self._output_shapes((batch,))
        if self.return_state:
            return [out] + [(batch,) + dims for dims in self.state_shapes]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_shapes)
        return output_mask

    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "unroll": self.unroll,
                  "time_major": self.time_major,
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = True
        if not self._cell_arguments_are_layer_arguments:  # RNN(cell), and its subclasses
            config["cell"] = serialize(self.cell)
        else:  # LSTM(...) and friends: the cell's arguments are the layer's
            cell_config = self.cell.get_config()
            for key in ("name", "trainable", "dtype", "batch_input_shape"):
                cell_config.pop(key, None)
            config.update(cell_config)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("cell"), dict):  # a user's cell comes from custom_objects,
            config["cell"] = deserialize(config["cell"], custom_objects)  # a scope, or registered
        return cls(**config)

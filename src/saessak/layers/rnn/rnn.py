"""The recurrent layer wrapper ``RNN(cell)``: a cell run over the time axis.

``RNN`` runs a cell (:mod:`.cell`) over the time axis of a ``(batch, time, features)``
input, handling masks (a masked step keeps the previous output and states),
``go_backwards``, ``return_sequences``, ``return_state``, ``stateful`` and
``initial_state``. A cell with ``sequence_call`` runs the whole sequence as one fused op;
any other cell is looped over in Python, building the graph step by step.
"""

from __future__ import annotations

import numpy as np

from ... import backend, ops, regularizers
from ...autograd import Tensor
from ..layer import Layer
from ..serialization import deserialize, serialize
from .cell import as_list
from .stacked_rnn_cells import StackedRNNCells


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
    def state_sizes(self) -> list[int]:
        return [int(s) for s in as_list(self.cell.state_size)]

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
        given = as_list(initial_state)
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
        states = as_list(states)
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
            new_states = as_list(new_states)
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

"""Bidirectional: run a recurrent layer forwards and a copy of it backwards, and merge.

The backward copy reads the sequence from its end (``go_backwards=True``); with
``return_sequences`` its outputs are turned back into forward order before merging, so
that step t of both halves belongs to input step t. The two sublayers are named
``forward_<name>`` and ``backward_<name>`` after the wrapped layer, as in Keras.
"""

from __future__ import annotations

from ... import ops
from ..._registry import custom_object_scope
from ..layer import Layer
from ..serialization import deserialize, serialize, user_classes
from .cell import as_list
from .rnn import RNN

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """A bidirectional wrapper for SimpleRNN, LSTM, GRU or RNN layers.

    >>> layer = Bidirectional(LSTM(64))             # merge_mode='concat'
    >>> layer(np.zeros((2, 10, 32))).shape           # 2 x 4 (32 + 64 + 1) 64 = 49,664
    (2, 128)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, RNN):
            raise ValueError(f"Bidirectional: layer must be a recurrent layer (SimpleRNN, "
                             f"LSTM, GRU or RNN), received {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, "
                             f"received {merge_mode!r}")
        if layer._batch_input_shape is not None and "input_shape" not in kwargs and (
                "batch_input_shape" not in kwargs):
            kwargs["batch_input_shape"] = layer._batch_input_shape
        super().__init__(**kwargs)
        config = layer.get_config()
        config.pop("batch_input_shape", None)
        self._custom_backward = backward_layer is not None
        with custom_object_scope(user_classes(layer)):  # a user's cell is copied too
            self.forward_layer = type(layer).from_config({**config,
                                                          "name": f"forward_{layer.name}"})
            if backward_layer is None:
                backward_layer = type(layer).from_config(
                    {**config, "name": f"backward_{layer.name}",
                     "go_backwards": not layer.go_backwards})
        if self._custom_backward:
            if not isinstance(backward_layer, RNN):
                raise ValueError(f"Bidirectional: backward_layer must be a recurrent layer, "
                                 f"received {backward_layer!r}")
            for attr in ("return_sequences", "return_state", "stateful"):
                if getattr(backward_layer, attr) != getattr(layer, attr):
                    raise ValueError(f"Bidirectional: backward_layer.{attr} must equal the "
                                     f"forward layer's ({getattr(layer, attr)}), received "
                                     f"{getattr(backward_layer, attr)}")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError("Bidirectional: backward_layer must read the sequence in "
                                 "the other direction: give it go_backwards="
                                 f"{not layer.go_backwards}")
        self.backward_layer = backward_layer
        object.__setattr__(self, "layer", layer)  # kept for get_config, not as a sublayer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        if self.return_sequences:  # masked steps give zeros, so both halves line up
            self.forward_layer.zero_output_for_mask = True
            self.backward_layer.zero_output_for_mask = True
        self._initial_weights = weights

    supports_masking = True

    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                sub.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, mask=None, training=None, initial_state=None):
        states = as_list(initial_state)
        forward_states = backward_states = None
        if states:
            half = len(states) // 2
            forward_states, backward_states = states[:half], states[half:]
        y_f = self.forward_layer(inputs, mask=mask, training=training,
                                 initial_state=forward_states)
        y_b = self.backward_layer(inputs, mask=mask, training=training,
                                  initial_state=backward_states)
        states_f = states_b = []
        if self.return_state:
            y_f, states_f = y_f[0], y_f[1:]
            y_b, states_b = y_b[0], y_b[1:]
        if self.return_sequences:
            y_b = y_b[:, ::-1]  # back to forward time order
        if self.merge_mode == "concat":
            out = [ops.concatenate([y_f, y_b], axis=-1)]
        elif self.merge_mode == "sum":
            out = [y_f + y_b]
        elif self.merge_mode == "mul":
            out = [y_f * y_b]
        elif self.merge_mode == "ave":
            out = [(y_f + y_b) * 0.5]
        else:
            out = [y_f, y_b]
        if self.return_state:
            return out + list(states_f) + list(states_b)
        return out[0] if len(out) == 1 else out

    def reset_states(self, states=None):
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            out = [tuple(shape[:-1]) + (shape[-1] * 2,)]
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = [tuple(shape)]
        if self.return_state:
            return out + states + states
        return out[0] if len(out) == 1 else out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        n_out = 2 if self.merge_mode is None else 1
        if self.return_state:
            n_states = len(self.forward_layer.state_sizes)
            return [output_mask] * n_out + [None] * (2 * n_states)
        return [output_mask] * 2 if n_out == 2 else output_mask

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": serialize(self.layer)}
        if self._custom_backward:
            config["backward_layer"] = serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"], custom_objects)
        return cls(**config)

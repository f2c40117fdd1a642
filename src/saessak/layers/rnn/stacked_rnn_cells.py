"""``StackedRNNCells``: several cells acting as one cell."""

from __future__ import annotations

from ..layer import Layer
from ..serialization import deserialize, serialize
from .cell import as_list


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
        return [n for c in self.cells for n in as_list(c.state_size)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or as_list(last.state_size)[0]

    def build(self, input_shape):
        batch, features = input_shape[0], input_shape[-1]
        for c in self.cells:
            if isinstance(c, Layer) and not c.built:
                c.build((batch, features))
                c.built = True
            features = getattr(c, "output_size", None) or as_list(c.state_size)[0]
        self.built = True

    def _split_states(self, states):
        out, i = [], 0
        for c in self.cells:
            n = len(as_list(c.state_size))
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
            new_states.extend(as_list(s))
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
        return {**super().get_config(), "cells": [serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [deserialize(spec, custom_objects) for spec in config["cells"]]
        return cls(**config)

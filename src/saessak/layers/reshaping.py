"""Layers that only rearrange values: Flatten, Reshape, Permute, RepeatVector.

The batch axis (axis 0) is never touched; shapes given to these layers leave it out.
"""

from __future__ import annotations

import math

from ..ops import broadcast_to, expand_dims, reshape, transpose
from ..ops.data_format import check_data_format, to_channels_last
from .layer import Layer


def _known_product(dims):
    """The product of ``dims``, or None when one of them is unknown."""
    return None if any(n is None for n in dims) else math.prod(dims)


class Flatten(Layer):
    """``(batch, a, b, c) -> (batch, a*b*c)``. With ``data_format='channels_first'`` the
    channel axis is moved last first, so the order matches a channels-last model."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, "Flatten")

    def call(self, inputs):
        if inputs.ndim > 2:
            inputs = to_channels_last(inputs, self.data_format)
        return reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], _known_product(input_shape[1:]) if len(input_shape) > 1
                else 1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """``Reshape((4, 5))`` turns ``(batch, 20)`` into ``(batch, 4, 5)``; one size may be -1,
    to be worked out from the others."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = (target_shape,) if isinstance(target_shape, int) else tuple(target_shape)
        if sum(n == -1 for n in target_shape) > 1 or any(
                not isinstance(n, int) or (n < 1 and n != -1) for n in target_shape):
            raise ValueError(f"Reshape: target_shape must hold positive integers and at most "
                             f"one -1, received {target_shape}")
        self.target_shape = target_shape

    def _resolve(self, input_shape):
        """The target shape with -1 filled in, checking that the sizes agree."""
        total = _known_product(input_shape[1:])
        if -1 not in self.target_shape:
            if total is not None and total != math.prod(self.target_shape):
                raise ValueError(f"Reshape {self.name!r}: cannot reshape input of shape "
                                 f"{tuple(input_shape)} ({total} values per sample) into "
                                 f"{self.target_shape}")
            return self.target_shape
        known = math.prod(n for n in self.target_shape if n != -1)
        if total is None:
            missing = None
        elif total % known:
            raise ValueError(f"Reshape {self.name!r}: input of shape {tuple(input_shape)} "
                             f"({total} values per sample) does not fit {self.target_shape}")
        else:
            missing = total // known
        return tuple(missing if n == -1 else n for n in self.target_shape)

    def call(self, inputs):
        shape = self._resolve(inputs.shape)
        return reshape(inputs, (inputs.shape[0],) + shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """``Permute((2, 1))`` swaps the two axes after the batch: ``(b, t, f) -> (b, f, t)``.
    ``dims`` numbers the non-batch axes from 1."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims)}, "
                             f"received {dims}")
        self.dims = dims

    def call(self, inputs):
        return transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"Permute {self.name!r}: dims {self.dims} need inputs with "
                             f"{len(self.dims) + 1} axes, received shape {tuple(input_shape)}")
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """``RepeatVector(3)`` turns ``(batch, features)`` into ``(batch, 3, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"RepeatVector: n must be a positive integer, received {n!r}")
        self.n = n

    def call(self, inputs):
        if inputs.ndim != 2:
            raise ValueError(f"RepeatVector {self.name!r}: expected inputs of shape "
                             f"(batch, features), received {inputs.shape}")
        batch, features = inputs.shape
        return broadcast_to(expand_dims(inputs, 1), (batch, self.n, features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}

"""Merge layers: combine a list of tensors into one.

``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum`` and ``Minimum`` work element by
element (shapes must match, or broadcast); ``Concatenate`` joins along an axis; ``Dot`` takes
dot products sample by sample. Each has a function form: ``add([a, b])`` is
``Add()([a, b])``.
"""

from __future__ import annotations

import numpy as np

from .. import backend, ops
from .layer import Layer


def _broadcast_shapes(a, b, layer_name):
    """The NumPy broadcast of two shapes that may hold None (unknown) sizes."""
    a, b = tuple(a), tuple(b)
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise ValueError(f"{layer_name}: inputs with shapes {a} and {b} cannot be combined "
                             "element by element")
    return tuple(out)


class _Merge(Layer):
    """Shared checks and mask handling; subclasses write ``_merge(list_of_tensors)``."""

    supports_masking = True
    min_inputs = 2

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.min_inputs:
            count = len(inputs) if isinstance(inputs, (list, tuple)) else "a single tensor"
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected a list of at "
                             f"least {self.min_inputs} inputs, received {count}")

    def build(self, input_shape):
        self._check(input_shape)
        self.compute_output_shape(input_shape)  # raises on shapes that do not fit
        self.built = True

    def call(self, inputs):
        self._check(inputs)
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        out = input_shape[0]
        for shape in input_shape[1:]:
            out = _broadcast_shapes(out, shape, f"{type(self).__name__} {self.name!r}")
        return out

    def compute_mask(self, inputs, mask=None):
        """A step counts only where every input with a mask has it on."""
        if mask is None or all(m is None for m in mask):
            return None
        masks = [m for m in mask if m is not None]
        out = masks[0]
        for m in masks[1:]:
            out = np.logical_and(out, m)
        return out


class Add(_Merge):
    """The sum of the inputs."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"Subtract {self.name!r}: expected a list of exactly 2 inputs, "
                             f"received {len(inputs) if isinstance(inputs, (list, tuple)) else 1}")

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    """The element-wise product of the inputs."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(_Merge):
    """The element-wise mean of the inputs."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out * (1.0 / len(xs))


class Maximum(_Merge):
    """The element-wise maximum of the inputs."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(_Merge):
    """The element-wise minimum of the inputs."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Join the inputs along ``axis`` (the last by default); other sizes must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(f"Concatenate: axis must be an integer, received {axis!r}")
        self.axis = axis

    def _merge(self, xs):
        return ops.concatenate(xs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"Concatenate {self.name!r}: every input needs the same number "
                             f"of axes, received shapes {[tuple(s) for s in input_shape]}")
        rank = ranks.pop()
        axis = self.axis % rank
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Concatenate {self.name!r}: along axis {self.axis} every other size "
                        f"must match; received shapes {[tuple(s) for s in input_shape]}")
                elif a is None:
                    out[i] = b
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """A mask covers every axis but the features. Joining features keeps the time steps,
        so the masks are and-ed; joining along time joins the masks too. Inputs without a
        mask count as all on."""
        if mask is None or all(m is None for m in mask):
            return None
        masks = [np.ones(x.shape[:-1], bool) if m is None else backend.to_numpy(m)
                 for x, m in zip(inputs, mask)]
        rank = inputs[0].ndim
        if self.axis % rank == rank - 1:
            return np.logical_and.reduce(masks)
        return np.concatenate(masks, axis=self.axis % rank)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _l2_normalize(x, axis):
    """``x / sqrt(max(sum(x^2), 1e-12))`` along ``axis``."""
    squares = (x * x).sum(axis=axis, keepdims=True)
    return x / ops.sqrt(ops.maximum(squares, 1e-12))


class Dot(_Merge):
    """Dot products of two batches of tensors, sample by sample.

    ``axes`` names the axis of each input to contract (an int for both, or a pair). For
    inputs ``(batch, n)`` and ``(batch, n)`` with ``axes=1`` the output is ``(batch, 1)``; for
    ``(batch, t, d)`` and ``(batch, s, d)`` with ``axes=2`` it is ``(batch, t, s)``. With
    ``normalize=True`` both are L2-normalised along those axes first (cosine similarity).
    """

    supports_masking = False

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        axes = tuple(axes)
        if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
            raise ValueError(f"Dot: axes must be an integer or a pair of integers, received "
                             f"{axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"Dot {self.name!r}: expected a list of exactly 2 inputs")

    def _axes_for(self, shapes):
        return tuple(a % len(s) for a, s in zip(self.axes, shapes))

    def _merge(self, xs):
        x, y = xs
        ax, ay = self._axes_for([x.shape, y.shape])
        if x.shape[ax] != y.shape[ay]:
            raise ValueError(f"Dot {self.name!r}: axis {ax} of {x.shape} and axis {ay} of "
                             f"{y.shape} must have the same size")
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        # x -> (batch, rest_x, k), y -> (batch, k, rest_y), then one batched matmul
        x_rest = [i for i in range(1, x.ndim) if i != ax]
        y_rest = [i for i in range(1, y.ndim) if i != ay]
        xt = ops.transpose(x, [0] + x_rest + [ax])
        yt = ops.transpose(y, [0, ay] + y_rest)
        batch, k = x.shape[0], x.shape[ax]
        rest_x = [x.shape[i] for i in x_rest]
        rest_y = [y.shape[i] for i in y_rest]
        prod = ops.matmul(ops.reshape(xt, (batch, int(np.prod(rest_x)), k)),
                          ops.reshape(yt, (batch, k, int(np.prod(rest_y)))))
        out_shape = tuple(rest_x + rest_y) or (1,)
        return ops.reshape(prod, (batch,) + out_shape)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        sx, sy = (tuple(s) for s in input_shape)
        ax, ay = self._axes_for([sx, sy])
        if sx[ax] is not None and sy[ay] is not None and sx[ax] != sy[ay]:
            raise ValueError(f"Dot {self.name!r}: axis {ax} of {sx} and axis {ay} of {sy} "
                             "must have the same size")
        rest = [n for i, n in enumerate(sx) if i not in (0, ax)] + \
               [n for i, n in enumerate(sy) if i not in (0, ay)]
        return (sx[0],) + (tuple(rest) or (1,))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


# --- function forms ---------------------------------------------------------------------------


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


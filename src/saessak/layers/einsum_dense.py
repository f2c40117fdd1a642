"""EinsumDense: a Dense layer whose product is any einsum, ``y = einsum(eq, x, kernel) + b``.

``EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")`` is a Dense(64)
applied at every step of a sequence; ``"abc,cde->abde"`` with ``output_shape=(None, 8, 16)``
projects each step into 8 heads of 16, as multi-head attention does. The kernel's shape is
read from the equation: each kernel subscript takes its size from the input (where the
input has it) or from ``output_shape``. ``...`` stands for axes passed through unchanged,
at the left (``"...b,bc->...c"``) or the right (``"ab...,bc->ac..."``).
"""

from __future__ import annotations

import re

from .. import activations, constraints, initializers, ops, regularizers
from .layer import Layer

# the three forms of equation: no '...', '...' at the left, '...' at the right ('0' here)
_FORMS = ((r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", None),
          (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", "left"),
          (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", "right"))


def kernel_and_bias_shapes(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape), as Keras works them out."""
    eq = equation.replace(" ", "").replace("...", "0")
    found, side = next(((m, side) for m, side in (
        (re.match(pattern, eq), side) for pattern, side in _FORMS) if m), (None, None))
    if found is None:
        raise ValueError(f"EinsumDense: the equation must be 'ab,bc->ac', with '...' at most "
                         f"at the left or the right of the input and output; received "
                         f"{equation!r}")
    input_spec, weight_spec, output_spec = found.groups()
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and side == "left":
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    shift = elided if side == "left" else 0
    input_axis = {c: i + shift for i, c in enumerate(input_spec)}
    output_axis = {c: i + shift for i, c in enumerate(output_spec)}
    for c in output_spec:
        if c not in input_spec and c not in weight_spec:
            raise ValueError(f"EinsumDense: output subscript {c!r} of {equation!r} is in "
                             "neither the input nor the kernel")
    kernel = []
    for c in weight_spec:
        size = input_shape[input_axis[c]] if c in input_axis else (
            output_shape[output_axis[c]] if c in output_axis else None)
        if size is None:
            raise ValueError(f"EinsumDense: the size of kernel subscript {c!r} of "
                             f"{equation!r} is unknown (input {tuple(input_shape)}, "
                             f"output {tuple(output_shape)})")
        kernel.append(int(size))
    bias = None
    if bias_axes:
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"EinsumDense: bias axis {c!r} is not in the output "
                                 f"{output_spec!r}")
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [output_shape[output_axis[c]] if c in bias_axes else 1
                for c in output_spec[first:]]
        if side != "left":
            bias += [1] * elided
    return tuple(kernel), None if bias is None else tuple(bias), tuple(output_shape)


class EinsumDense(Layer):
    """``activation(einsum(equation, x, kernel) + bias)``; see the module's description."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        kwargs.pop("lora_rank", None)  # Keras 3's low-rank adaptation: not provided
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.activation = activations.get(activation)
        self.bias_axes = bias_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel, bias, self.full_output_shape = kernel_and_bias_shapes(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        self.kernel = self.add_weight("kernel", kernel, self.kernel_initializer,
                                      self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None if bias is None else self.add_weight(
            "bias", bias, self.bias_initializer, self.bias_regularizer,
            constraint=self.bias_constraint)

    def call(self, inputs):
        y = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return kernel_and_bias_shapes(self.equation, self.bias_axes, tuple(input_shape),
                                      self.partial_output_shape)[2]

    def get_config(self):
        return {**super().get_config(), "equation": self.equation,
                "output_shape": list(self.partial_output_shape),
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}

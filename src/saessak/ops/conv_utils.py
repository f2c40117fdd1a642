"""The sizes of a convolution along each spatial axis, as Keras computes them: the output
length, the zeros TensorFlow pads with, the transposed convolution's output length, and
the checks of ``strides``/``dilation_rate``/``padding`` arguments. Pooling uses them too."""

from __future__ import annotations

import numpy as np

PADDINGS = ("valid", "same", "causal")


def conv_output_length(length, kernel_size, stride=1, padding="valid", dilation=1):
    """Keras's output length of a convolution or pooling along one axis (None stays None).

    valid: floor((L - (k-1)d - 1) / s) + 1;  same and causal: ceil(L / s).
    """
    if length is None:
        return None
    if padding == "valid":
        return max((length - (kernel_size - 1) * dilation - 1) // stride + 1, 0)
    return -(-length // stride)


def conv_padding(length, kernel_size, stride=1, padding="valid", dilation=1):
    """Zeros to add (before, after) along one axis, as TensorFlow pads: for 'same', the
    smallest total that yields ceil(L/s) outputs, with the odd one after; for 'causal',
    everything before, so output t sees only inputs <= t."""
    span = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return span - 1, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def deconv_output_length(length, kernel_size, stride=1, padding="valid", dilation=1,
                         output_padding=None):
    """Keras's output length of a transposed convolution along one axis."""
    if length is None:
        return None
    span = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(span - stride, 0)
        return length * stride
    pad = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * pad + output_padding


def normalize_tuple(value, n, name, owner="conv"):
    """``3 -> (3, 3)``; a tuple of ``n`` positive ints passes; anything else is an error."""
    if isinstance(value, (int, np.integer)):
        value = (int(value),) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"{owner}: {name} must be an int or a tuple of {n} ints, "
                         f"received {value!r}") from None
    if len(value) != n or any(v <= 0 for v in value):
        raise ValueError(f"{owner}: {name} must be a positive int or a tuple of {n} positive "
                         f"ints, received {value!r}")
    return value


def check_padding(padding, nd, owner):
    """``padding`` lower-cased, if it is one that ``owner`` takes ('causal' only in 1-d)."""
    padding = str(padding).lower()
    allowed = PADDINGS if nd == 1 else PADDINGS[:2]
    if padding not in allowed:
        raise ValueError(f"{owner}: padding must be one of {allowed}, received {padding!r}")
    return padding

"""Keras's products of tensors beyond matmul: outer, inner, Kronecker, tensor-dot and dot
of flattened vectors, the cross product, and the 1-D correlation.

Each is built from einsum, matmul, broadcasting multiplies, reshapes and indexing, so the
gradients reach both operands. Integers and floats mix as Keras mixes them (see
``elementwise.result_dtype``).
"""

from __future__ import annotations

import string

import numpy as np

from .dtypes import common_tensors
from .keras_names import moveaxis
from .linalg import einsum, matmul
from .manipulation import getitem, pad, reshape, stack


def outer(x1, x2):
    """out[i, j] = x1[i] * x2[j], both flattened first."""
    a, b = common_tensors((x1, x2))
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def tensordot(x1, x2, axes=2):
    """Sums of products over ``axes`` (a count of x1's last and x2's first, or two lists)."""
    a, b = common_tensors((x1, x2))
    if np.ndim(axes) == 0:
        n = int(axes)
        along_a, along_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        along_a, along_b = (list(np.atleast_1d(v).tolist()) for v in axes)
    along_a = [int(i) % a.ndim for i in along_a]
    along_b = [int(j) % b.ndim for j in along_b]
    if len(along_a) != len(along_b):
        raise ValueError(f"tensordot: axes {axes} pair {len(along_a)} axes of x1 with "
                         f"{len(along_b)} of x2")
    # one letter per axis; a summed axis of x2 takes its partner's letter in x1
    letters = string.ascii_letters
    sub_a = letters[:a.ndim]
    sub_b = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(along_a, along_b):
        sub_b[j] = sub_a[i]
    kept = [c for i, c in enumerate(sub_a) if i not in along_a]
    kept += [c for j, c in enumerate(sub_b) if j not in along_b]
    return einsum(f"{sub_a},{''.join(sub_b)}->{''.join(kept)}", a, b)


def inner(x1, x2):
    """The sum of products over the last axis of both (a plain product for scalars)."""
    a, b = common_tensors((x1, x2))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


def vdot(x1, x2):
    """The dot product of the two tensors flattened."""
    a, b = common_tensors((x1, x2))
    return tensordot(reshape(a, (-1,)), reshape(b, (-1,)), 1)


def kron(x1, x2):
    """The Kronecker product: every element of x1 times a whole block of x2."""
    a, b = common_tensors((x1, x2))
    ndim = max(a.ndim, b.ndim)
    sa = (1,) * (ndim - a.ndim) + a.shape
    sb = (1,) * (ndim - b.ndim) + b.shape
    # (a0, 1, a1, 1, ...) * (1, b0, 1, b1, ...), then each (ai, bi) pair merged
    spread_a = reshape(a, sum(((n, 1) for n in sa), ()))
    spread_b = reshape(b, sum(((1, n) for n in sb), ()))
    return reshape(spread_a * spread_b, [m * n for m, n in zip(sa, sb)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (2-vectors read with z = 0; two give the z part)."""
    a, b = common_tensors((x1, x2))
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"cross: the vectors must have 2 or 3 components, received "
                         f"{a.shape[-1]} and {b.shape[-1]}")

    def parts(v):
        if v.shape[-1] == 2:  # (x, y) as (x, y, 0)
            v = pad(v, [(0, 0)] * (v.ndim - 1) + [(0, 1)])
        return [getitem(v, (Ellipsis, i)) for i in range(3)]

    (a0, a1, a2), (b0, b1, b2) = parts(a), parts(b)
    z = a0 * b1 - a1 * b0
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    return moveaxis(stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z], axis=-1), -1, axisc)


def correlate(x1, x2, mode="valid"):
    """out[k] = sum_n x1[n + k] * x2[n], 1-D, for the shifts ``mode`` keeps (as NumPy)."""
    a, v = common_tensors((x1, x2), floating=True)
    if a.ndim != 1 or v.ndim != 1 or not a.shape[0] or not v.shape[0]:
        raise ValueError(f"correlate: needs two non-empty 1-D tensors, received shapes "
                         f"{a.shape} and {v.shape}")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', received "
                         f"{mode!r}")
    n, m = a.shape[0], v.shape[0]
    # every shift k = -(m-1) ... n-1: the windows of x1 padded with m-1 zeros on each side
    windows = getitem(pad(a, ((m - 1, m - 1),)), np.arange(n + m - 1)[:, None] + np.arange(m))
    full = matmul(windows, v)
    short = min(n, m)
    if mode == "full":
        return full
    if mode == "valid":
        start, length = short - 1, abs(n - m) + 1
    else:  # NumPy centres 'same' on the longer input, a half step later when x2 is longer
        start, length = ((short - 1) // 2 if n >= m else short // 2), max(n, m)
    return getitem(full, slice(start, start + length))

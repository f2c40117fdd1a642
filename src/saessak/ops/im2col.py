"""im2col and col2im: a convolution's patches as the rows of one matrix, and back.

im2col gathers every kernel-sized patch of the padded input into one row (a strided *view*
of the input, copied once), so a convolution is one matrix product; col2im adds each row's
gradient back onto the pixels it was read from (its adjoint). The helpers here, padding,
patch views and the choice of the compiled loops, serve the pooling windows too.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from . import _conv_numba


def pad_spatial(x, pads, value=0.0):
    """``x`` (batch, *spatial, channels) with ``pads[i] = (before, after)`` added around
    spatial axis i. Returns ``x`` itself when there is nothing to add."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = backend.get_array_module(x)
    shape = (x.shape[0],) + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads)) + (
        x.shape[-1],)
    out = xp.full(shape, value, dtype=x.dtype)
    out[interior(x.shape, pads)] = x
    return out


def interior(shape, pads):
    """The index that selects the original ``shape`` inside its padded copy."""
    return (slice(None),) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(shape[1:-1], pads)) + (
        slice(None),)


def windows(x, out_sizes, kernel_size, strides, dilation):
    """Every kernel-sized patch of the (already padded) ``x`` as a read-only strided view of
    shape (batch, *out_sizes, *kernel_size, channels): no copy is made here."""
    xp = backend.get_array_module(x)
    s = x.strides
    nd = len(kernel_size)
    shape = (x.shape[0], *out_sizes, *kernel_size, x.shape[-1])
    steps = (s[0], *(s[1 + i] * strides[i] for i in range(nd)),
             *(s[1 + i] * dilation[i] for i in range(nd)), s[-1])
    return xp.lib.stride_tricks.as_strided(x, shape, steps, writeable=False)


def window_slice(offset, out_sizes, strides, dilation):
    """The pixels that kernel position ``offset`` reads, over all output positions: a
    strided slice of the padded input, (batch, *out_sizes, channels) in shape."""
    return (slice(None),) + tuple(
        slice(o * d, o * d + s * (n - 1) + 1, s)
        for o, d, s, n in zip(offset, dilation, strides, out_sizes)) + (slice(None),)


def compiled(*arrays, nd):
    """Whether the compiled loops (images and sequences only) take these arrays."""
    return nd <= 2 and _conv_numba.usable(*arrays)


def as_image(a, nd):
    """A sequence (batch, steps, C) seen as an image of height 1; images pass unchanged."""
    return a[:, None] if nd == 1 else a


def image_geometry(*per_axis):
    """Per-axis tuples as the compiled 2-D loops take them (height 1 for sequences)."""
    return tuple(v for t in per_axis for v in ((1,) + tuple(t) if len(t) == 1 else t))


FEW_CHANNELS = 4  # below this, im2col gathers the transposed matrix (see im2col)


def im2col(x, out_sizes, kernel_size, strides, dilation, ones_column=False):
    """All patches of the (already padded) ``x`` as the rows of one matrix,
    (batch * out_positions, kernel_positions * channels), and a last column of ones when
    ``ones_column``: the one copy a convolution makes.

    A row holds runs of ``channels`` consecutive values, so for a grey or colour image
    (one to three channels) the copy would crawl element by element. Then the transposed
    matrix is filled instead, one kernel offset at a time, in runs along the image's rows,
    and returned as its ``.T`` view: the products take either layout at the same speed.
    (Everywhere else NumPy's strided copy runs near memory speed; a compiled loop did not
    beat it.)"""
    patches = windows(x, out_sizes, kernel_size, strides, dilation)
    nd, channels = len(kernel_size), x.shape[-1]
    n_rows = x.shape[0] * math.prod(out_sizes)
    few = channels < FEW_CHANNELS
    if not (ones_column or few):
        return patches.reshape(n_rows, -1)
    xp = backend.get_array_module(x)
    width = math.prod(kernel_size) * channels
    if few:
        cols_t = xp.empty((width + ones_column, n_rows), dtype=x.dtype)
        if ones_column:
            cols_t[width] = 1
        # (batch, *out, *kernel, C) -> (*kernel, C, batch, *out): a view of the first rows
        order = tuple(range(nd + 1, 2 * nd + 2)) + tuple(range(nd + 1))
        xp.copyto(cols_t[:width].reshape(tuple(kernel_size) + (channels, x.shape[0])
                                         + tuple(out_sizes)), patches.transpose(order))
        return cols_t.T
    cols = xp.empty((n_rows, width + 1), dtype=x.dtype)
    cols[:, width] = 1
    # The first `width` columns seen in the patches' shape: splitting the axes of a slice
    # whose last stride is one element is always a view, so the copy lands in `cols`.
    xp.copyto(cols[:, :width].reshape(patches.shape), patches)
    return cols


def col2im(dcols, padded_shape, out_sizes, kernel_size, strides, dilation):
    """The adjoint of :func:`im2col`: add each row's gradient ``dcols`` (rows, kernel_positions
    * channels) back onto the pixels it was read from. The NumPy version loops over the kernel
    offsets, never over pixels; its strided adds have inner runs of only ``channels``
    elements, so the compiled loop is 2-4x faster where numba is present."""
    xp = backend.get_array_module(dcols)
    nd = len(kernel_size)
    dx = xp.zeros(padded_shape, dtype=dcols.dtype)
    if compiled(dcols, dx, nd=nd):
        _conv_numba.col2im(dcols, *image_geometry(out_sizes, kernel_size, strides, dilation),
                           as_image(dx, nd))
        return dx
    dcols = dcols.reshape((padded_shape[0], *out_sizes, *kernel_size, padded_shape[-1]))
    lead = (slice(None),) * (1 + nd)
    for offset in np.ndindex(*kernel_size):
        dx[window_slice(offset, out_sizes, strides, dilation)] += dcols[lead + offset]
    return dx

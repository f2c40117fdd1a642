"""Convolution, channels last, by im2col: every layer's arithmetic is ONE matrix product.

A convolution slides a small kernel over the input and, at every position, takes the dot
product of the kernel with the patch under it. Gather every patch into one row of a matrix
(im2col: a strided *view* of the padded input, copied once) and the whole layer becomes

    Y = cols @ W          cols: (N * out_positions, kernel_positions * C_in)
                          W:    (kernel_positions * C_in, C_out)

and its two gradients are the two other products of the same three matrices:

    dW = cols^T @ dY      dcols = dY @ W^T

``dcols`` holds, for every patch, the gradient of each pixel it read; col2im adds those
back onto the input (a pixel read by several patches gets the sum). col2im loops over the
few kernel offsets (9 for a 3x3 kernel), never over pixels.

The bias rides along in the same product, as a bias does for a single neuron: append a
column of ones to ``cols`` and the bias to ``W`` as one more row, and

    Y = [cols 1] @ [W; b]        d[W; b] = [cols 1]^T @ dY

so the last row of the weight gradient is db, the column sums of dY. Adding the bias and
summing its gradient separately would cost two more passes over Y, the largest array.

Shapes follow Keras: inputs ``(batch, *spatial, channels)``, kernels
``(*kernel_size, channels // groups, filters)``. Every function works for 1, 2 or 3 spatial
axes; ``conv1d`` and ``conv2d`` only name the common cases.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from . import _conv_numba
from .linalg import sum_rows

PADDINGS = ("valid", "same", "causal")


# --- sizes -----------------------------------------------------------------------------------


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


# --- im2col and col2im --------------------------------------------------------------------------


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


# --- convolution ----------------------------------------------------------------------------


class Conv(Function):
    """``y = conv(x, w) + b`` for any number of spatial axes, with groups.

    With ``groups = G`` the channels split into G blocks; block g of the output sees only
    block g of the input, so the product becomes G products batched on a leading axis.
    """

    def __init__(self, strides, padding, dilation, groups=1):
        self.strides, self.padding, self.dilation, self.groups = strides, padding, dilation, groups

    def forward(self, x, w, b=None):
        nd = w.ndim - 2
        ksize, c_in, f = w.shape[:nd], x.shape[-1], w.shape[-1]
        g = self.groups
        if x.ndim != nd + 2:
            raise ValueError(f"conv: a kernel with {nd} spatial axes needs inputs of rank "
                             f"{nd + 2} (batch, *spatial, channels), received shape {x.shape}")
        if c_in != w.shape[-2] * g:
            raise ValueError(f"conv: inputs have {c_in} channels but the kernel {w.shape} "
                             f"with groups={g} expects {w.shape[-2] * g}")
        self.pads = [conv_padding(n, k, s, self.padding, d)
                     for n, k, s, d in zip(x.shape[1:-1], ksize, self.strides, self.dilation)]
        xp_ = pad_spatial(x, self.pads)
        out = tuple(conv_output_length(n + lo + hi, k, s, "valid", d)
                    for n, (lo, hi), k, s, d in zip(x.shape[1:-1], self.pads, ksize,
                                                    self.strides, self.dilation))
        if min(out) <= 0:
            raise ValueError(f"conv: inputs of shape {x.shape} are smaller than the kernel "
                             f"{tuple(ksize)} (dilation {self.dilation}): no output remains")
        self.x_shape, self.padded_shape, self.out = x.shape, xp_.shape, out
        n_rows = x.shape[0] * math.prod(out)
        if g == 1:  # with a bias: [cols 1] @ [W; b]
            self.cols = im2col(xp_, out, ksize, self.strides, self.dilation,
                               ones_column=b is not None)
            self.w2 = w.reshape(-1, f)
            if b is not None:
                self.w2 = backend.get_array_module(w).concatenate([self.w2, b[None]])
            y = self.cols @ self.w2
        else:
            # Split channels into (G, C/G) and bring G to the front: (G, rows, k*C/G).
            patch = windows(xp_, out, ksize, self.strides, self.dilation)
            split = patch.reshape(patch.shape[:-1] + (g, c_in // g))
            lead = split.ndim - 2
            order = (lead,) + tuple(range(lead)) + (lead + 1,)
            self.cols = split.transpose(order).reshape(g, n_rows, -1)
            kpos = math.prod(ksize)
            self.w2 = w.reshape(kpos, c_in // g, g, f // g).transpose(2, 0, 1, 3).reshape(
                g, kpos * (c_in // g), f // g)
            y = (self.cols @ self.w2).transpose(1, 0, 2).reshape(n_rows, f)
            if b is not None:
                y += b
        self.w_shape, self.has_bias = w.shape, b is not None
        return y.reshape((x.shape[0],) + out + (f,))

    def backward(self, gy):
        g, f = self.groups, self.w_shape[-1]
        nd = len(self.out)
        ksize = self.w_shape[:nd]
        g2 = gy.reshape(-1, f)
        db = None
        if g == 1:
            dw = self.cols.T @ g2  # d[W; b] = [cols 1]^T dY
            if self.has_bias:
                dw, db = dw[:-1], dw[-1]
            dw = dw.reshape(self.w_shape)
        else:
            gg = g2.reshape(-1, g, f // g).transpose(1, 0, 2)  # (G, rows, F/G)
            dw = (self.cols.transpose(0, 2, 1) @ gg).reshape(
                g, math.prod(ksize), -1, f // g).transpose(1, 2, 0, 3).reshape(self.w_shape)
        dx = None
        if self.needs_input_grad(0):
            if g == 1:
                w2 = self.w2[:-1] if self.has_bias else self.w2
                dcols = g2 @ w2.T  # dcols = dY W^T
            else:
                dcols = (gg @ self.w2.transpose(0, 2, 1)).reshape(
                    g, -1, math.prod(ksize), self.x_shape[-1] // g).transpose(1, 2, 0, 3)
                dcols = dcols.reshape(-1, math.prod(ksize) * self.x_shape[-1])
            dx = col2im(dcols, self.padded_shape, self.out, ksize, self.strides, self.dilation)
            dx = dx[interior(self.x_shape, self.pads)]
        if self.has_bias:
            return dx, dw, sum_rows(g2) if db is None else db
        return dx, dw


class SequenceConv(Function):
    """A 1-d convolution with stride 1 as ``k`` shifted products, with no im2col.

    Output step t reads inputs t, t + d, ..., t + (k-1)d, so

        y[t] = sum_j x[t + j d] W_j + b          W_j: (C_in, C_out), kernel offset j

    Lay the batch end to end as one long sequence of N*L rows: each term is then ONE matrix
    product of a shifted slice of that sequence. Rows that straddle two sequences come out
    too ((k-1)d per sequence) and are dropped. im2col would copy the input k times over
    (for IMDB's Conv1D(64, 5) on 100 channels, 40 MB per batch); this reads it in place.
    Backward uses the same slices:  dW_j = x_j^T dY,  dx_j += dY W_j^T.
    """

    def __init__(self, padding, dilation):
        self.padding, self.dilation = padding, dilation

    def forward(self, x, w, b=None):
        k, c_in, f = w.shape
        d = self.dilation
        if x.ndim != 3 or x.shape[-1] != c_in:
            raise ValueError(f"conv: a kernel {w.shape} needs inputs (batch, steps, {c_in}), "
                             f"received shape {x.shape}")
        self.pads = [conv_padding(x.shape[1], k, 1, self.padding, d)]
        padded = pad_spatial(x, self.pads)
        n, length = padded.shape[:2]
        out = length - (k - 1) * d
        if out <= 0:
            raise ValueError(f"conv: inputs of shape {x.shape} are shorter than the kernel "
                             f"({k} taps, dilation {d}): no output remains")
        xp = backend.get_array_module(x)
        self.flat = padded.reshape(n * length, c_in)
        self.rows = n * length - (k - 1) * d  # every start row whose taps stay in the array
        self.w, self.x_shape, self.padded_shape = w, x.shape, padded.shape
        y = xp.empty((n * length, f), dtype=x.dtype)
        full, term = y[:self.rows], xp.empty((self.rows, f), dtype=x.dtype)
        xp.matmul(self.flat[self._rows(0)], w[0], out=full)
        for j in range(1, k):
            full += xp.matmul(self.flat[self._rows(j)], w[j], out=term)
        if b is not None:
            full += b
        self.has_bias = b is not None
        return y.reshape(n, length, f)[:, :out]  # drop the straddling rows

    def _rows(self, j):
        """The rows of the flat input that kernel offset j multiplies (and of the flat
        input gradient that it adds to), one per start row."""
        start = j * self.dilation
        return slice(start, start + self.rows)

    def backward(self, gy):
        xp = backend.get_array_module(gy)
        n, length, _ = self.padded_shape
        k, c_in, f = self.w.shape
        g_full = xp.zeros((n, length, f), dtype=gy.dtype)
        g_full[:, :gy.shape[1]] = gy  # the dropped rows get no gradient
        g = g_full.reshape(n * length, f)[:self.rows]
        dw = xp.stack([self.flat[self._rows(j)].T @ g for j in range(k)])  # dW_j = x_j^T dY
        dx = None
        if self.needs_input_grad(0):
            dx_flat = xp.zeros((n * length, c_in), dtype=gy.dtype)
            term = xp.empty((self.rows, c_in), dtype=gy.dtype)
            for j in range(k):
                dx_flat[self._rows(j)] += xp.matmul(g, self.w[j].T, out=term)
            dx = dx_flat.reshape(self.padded_shape)[interior(self.x_shape, self.pads)]
        if self.has_bias:
            return dx, dw, sum_rows(g)
        return dx, dw


class ConvTranspose(Function):
    """The transposed ("de-") convolution: the input-gradient of a convolution used forward.

    Each input pixel scatters ``x[p] @ W^T`` (a kernel-sized patch) onto the output, so the
    forward pass is one product and a col2im, and its gradients are one im2col and products.
    Kernel layout (Keras): (*kernel_size, filters, channels_in).
    """

    def __init__(self, strides, padding, dilation, output_padding=None):
        self.strides, self.padding, self.dilation = strides, padding, dilation
        self.output_padding = output_padding

    def forward(self, x, w, b=None):
        nd = w.ndim - 2
        ksize, f, c_in = w.shape[:nd], w.shape[-2], w.shape[-1]
        if x.ndim != nd + 2 or x.shape[-1] != c_in:
            raise ValueError(f"conv_transpose: expected inputs (batch, *{nd} spatial axes, "
                             f"{c_in}), received shape {x.shape}")
        op = self.output_padding or (None,) * nd
        out = tuple(deconv_output_length(n, k, s, self.padding, d, p) for n, k, s, d, p in
                    zip(x.shape[1:-1], ksize, self.strides, self.dilation, op))
        # As in TensorFlow, this is the input-gradient of a convolution from `out` to `x`
        # with the same padding: the scattered result spans (i-1)s + (k-1)d + 1 positions,
        # of which the output keeps `out` starting at that convolution's front padding.
        full, self.pads = [], []
        for i, n, k, s, d in zip(x.shape[1:-1], out, ksize, self.strides, self.dilation):
            span = (i - 1) * s + (k - 1) * d + 1
            lo = max(span - n, 0) // 2 if self.padding == "same" else 0
            full.append(max(span, lo + n))  # trailing zeros where the output is longer
            self.pads.append((lo, full[-1] - lo - n))
        full = tuple(full)
        self.x, self.w2, self.ksize, self.f = x, w.reshape(-1, f, c_in), ksize, f
        rows = x.reshape(-1, c_in)
        w2 = w.reshape(-1, c_in)  # (kpos * F, C_in)
        cols = rows @ w2.T  # x W^T: one kernel-sized patch per input pixel
        y = col2im(cols, (x.shape[0],) + full + (f,), x.shape[1:-1], ksize, self.strides,
                   self.dilation)
        self.padded_shape, self.out = (x.shape[0],) + full + (f,), out
        y = y[interior((x.shape[0],) + out + (f,), self.pads)]
        if b is not None:
            y = y + b
        self.has_bias = b is not None
        return np.ascontiguousarray(y)

    def backward(self, gy):
        x, f, c_in = self.x, self.f, self.x.shape[-1]
        gpad = pad_spatial(gy, self.pads)
        cols = im2col(gpad, x.shape[1:-1], self.ksize, self.strides, self.dilation)  # of dY
        w2 = self.w2.reshape(-1, c_in)
        dx = (cols @ w2).reshape(x.shape) if self.needs_input_grad(0) else None  # dX = cols W
        dw = (cols.T @ x.reshape(-1, c_in)).reshape(self.w2.shape)  # dW = cols^T X
        dw = dw.reshape(tuple(self.ksize) + (f, c_in))
        if self.has_bias:
            return dx, dw, sum_rows(gy.reshape(-1, f))
        return dx, dw


# --- the public functions ------------------------------------------------------------------------


def _check_padding(padding, nd, owner):
    padding = str(padding).lower()
    allowed = PADDINGS if nd == 1 else PADDINGS[:2]
    if padding not in allowed:
        raise ValueError(f"{owner}: padding must be one of {allowed}, received {padding!r}")
    return padding


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """N-d convolution, channels last: inputs (batch, *spatial, C), kernel (*k, C/groups, F).

    ``padding`` is 'valid' (no padding), 'same' (output length ceil(L/s)) or, for one
    spatial axis, 'causal' (output t depends only on inputs up to t).
    """
    nd = len(kernel.shape) - 2
    strides = normalize_tuple(strides, nd, "strides")
    padding = _check_padding(padding, nd, "conv")
    dilation = normalize_tuple(dilation_rate, nd, "dilation_rate")
    if _shifted_products_pay(x.shape, kernel.shape, strides, dilation, groups):
        fn = SequenceConv(padding, dilation[0])
    else:
        fn = Conv(strides, padding, dilation, int(groups))
    return fn(x, kernel) if bias is None else fn(x, kernel, bias)


# Where the shifted products beat im2col (measured, one thread, forward + backward): a patch
# of k*C >= 500 values (IMDB's 5 x 100: 38 vs 47 ms; 7 x 128: 32 vs 50 ms), but not at
# 3 x 64 or 7 x 32, where im2col's copy is cheap and its one wide product wins.
SHIFTED_MIN_PATCH, SHIFTED_MIN_CHANNELS = 320, 64


def _shifted_products_pay(x_shape, kernel_shape, strides, dilation, groups):
    """Whether a 1-d convolution runs faster as shifted products (SequenceConv) than by
    im2col: stride 1, no groups, a wide patch, enough channels for each product, and
    sequences long enough that the straddling rows it throws away are few (at most 1/8)."""
    if len(kernel_shape) != 3 or len(x_shape) != 3 or strides != (1,) or groups != 1:
        return False
    taps, channels = kernel_shape[0], x_shape[-1]
    span = (taps - 1) * dilation[0]
    return (channels >= SHIFTED_MIN_CHANNELS and taps * channels >= SHIFTED_MIN_PATCH
            and 8 * span <= x_shape[1])


def conv1d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """1-d convolution: x (batch, steps, C), kernel (k, C/groups, F) -> (batch, steps', F)."""
    if len(kernel.shape) != 3:
        raise ValueError(f"conv1d: kernel must be (k, channels, filters), received shape "
                         f"{tuple(kernel.shape)}")
    return conv(x, kernel, bias, strides, padding, dilation_rate, groups)


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """2-d convolution: x (batch, H, W, C), kernel (kh, kw, C/groups, F) -> (batch, H', W', F)."""
    if len(kernel.shape) != 4:
        raise ValueError(f"conv2d: kernel must be (kh, kw, channels, filters), received "
                         f"shape {tuple(kernel.shape)}")
    return conv(x, kernel, bias, strides, padding, dilation_rate, groups)


def depthwise_conv(x, depthwise_kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """Each input channel convolved with its own ``depth_multiplier`` filters.

    Kernel (*k, C, M) -> output channel c*M + m. This is a grouped convolution with one
    group per channel, whose kernel (*k, 1, C*M) is the same array reshaped.
    """
    from .manipulation import reshape

    k = tuple(depthwise_kernel.shape)
    channels = k[-2]
    flat = reshape(depthwise_kernel, k[:-2] + (1, channels * k[-1]))
    return conv(x, flat, bias, strides, padding, dilation_rate, groups=channels)


def depthwise_conv2d(x, depthwise_kernel, bias=None, strides=1, padding="valid",
                     dilation_rate=1):
    """``depthwise_conv`` for images: kernel (kh, kw, C, depth_multiplier)."""
    return depthwise_conv(x, depthwise_kernel, bias, strides, padding, dilation_rate)


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                   output_padding=None):
    """Transposed convolution: x (batch, *spatial, C), kernel (*k, F, C) -> (batch, *out, F)."""
    nd = len(kernel.shape) - 2
    if output_padding is not None:
        output_padding = tuple(int(p) for p in (
            (output_padding,) * nd if isinstance(output_padding, int) else output_padding))
    fn = ConvTranspose(normalize_tuple(strides, nd, "strides"),
                       _check_padding(padding, min(nd, 2), "conv_transpose"),
                       normalize_tuple(dilation_rate, nd, "dilation_rate"), output_padding)
    return fn(x, kernel) if bias is None else fn(x, kernel, bias)


def conv2d_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                     output_padding=None):
    """``conv_transpose`` for images: kernel (kh, kw, filters, channels_in)."""
    return conv_transpose(x, kernel, bias, strides, padding, dilation_rate, output_padding)


def conv1d_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                     output_padding=None):
    """``conv_transpose`` for sequences: kernel (k, filters, channels_in)."""
    return conv_transpose(x, kernel, bias, strides, padding, dilation_rate, output_padding)

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

im2col and col2im themselves are in :mod:`.im2col`, the sizes in :mod:`.conv_utils`, and
the transposed convolution in :mod:`.transposed_convolution`.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.tensor import Function
from .conv_utils import check_padding, conv_output_length, conv_padding, normalize_tuple
from .gradients import bilinear_gradients
from .im2col import col2im, im2col, interior, pad_spatial, windows
from .linalg import sum_rows
from .manipulation import reshape


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
        self.x, self.w = x, w  # only for gradients of gradients (references, not copies)
        return y.reshape((x.shape[0],) + out + (f,))

    def backward(self, gy):
        g, f = self.groups, self.w_shape[-1]
        nd = len(self.out)
        ksize = self.w_shape[:nd]
        g2 = gy.reshape(-1, f)
        db = dw = None
        if g == 1:
            if self.needs_input_grad(1) or self.has_bias:
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

    def backward_ops(self, g):
        op = Conv(self.strides, self.padding, self.dilation, self.groups)
        return bilinear_gradients(op, g, self.input_or_saved(0, self.x),
                                  self.input_or_saved(1, self.w), self.has_bias,
                                  want=self.wanted_grads())


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
        self.x = x  # only for gradients of gradients
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

    def backward_ops(self, g):
        return bilinear_gradients(SequenceConv(self.padding, self.dilation), g,
                                  self.input_or_saved(0, self.x), self.input_or_saved(1, self.w),
                                  self.has_bias,
                                  want=self.wanted_grads())


# --- the public functions ------------------------------------------------------------------------


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """N-d convolution, channels last: inputs (batch, *spatial, C), kernel (*k, C/groups, F).

    ``padding`` is 'valid' (no padding), 'same' (output length ceil(L/s)) or, for one
    spatial axis, 'causal' (output t depends only on inputs up to t).
    """
    nd = len(kernel.shape) - 2
    strides = normalize_tuple(strides, nd, "strides")
    padding = check_padding(padding, nd, "conv")
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
    k = tuple(depthwise_kernel.shape)
    channels = k[-2]
    flat = reshape(depthwise_kernel, k[:-2] + (1, channels * k[-1]))
    return conv(x, flat, bias, strides, padding, dilation_rate, groups=channels)


def depthwise_conv2d(x, depthwise_kernel, bias=None, strides=1, padding="valid",
                     dilation_rate=1):
    """``depthwise_conv`` for images: kernel (kh, kw, C, depth_multiplier)."""
    return depthwise_conv(x, depthwise_kernel, bias, strides, padding, dilation_rate)

"""The transposed ("de-") convolution: the input-gradient of a convolution, used forward.

Each input pixel scatters a kernel-sized patch ``x[p] @ W^T`` onto the output: one matrix
product and a col2im (:mod:`.im2col`). Its gradients are one im2col of ``dY`` and two
products. This is how ``Conv2DTranspose`` upsamples (a decoder, a GAN's generator).
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Function
from .conv_utils import check_padding, deconv_output_length, normalize_tuple
from .gradients import bilinear_gradients
from .im2col import col2im, im2col, interior, pad_spatial
from .linalg import sum_rows


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
        self.w = w  # only for gradients of gradients
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

    def backward_ops(self, g):
        op = ConvTranspose(self.strides, self.padding, self.dilation, self.output_padding)
        return bilinear_gradients(op, g, self.input_or_saved(0, self.x),
                                  self.input_or_saved(1, self.w), self.has_bias,
                                  want=self.wanted_grads())


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                   output_padding=None):
    """Transposed convolution: x (batch, *spatial, C), kernel (*k, F, C) -> (batch, *out, F)."""
    nd = len(kernel.shape) - 2
    if output_padding is not None:
        output_padding = tuple(int(p) for p in (
            (output_padding,) * nd if isinstance(output_padding, int) else output_padding))
    fn = ConvTranspose(normalize_tuple(strides, nd, "strides"),
                       check_padding(padding, min(nd, 2), "conv_transpose"),
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

"""Optional numba loops for the memory-bound half of convolution and pooling (``fast`` extra).

A convolution's arithmetic is three matrix products (see :mod:`saessak.ops.convolution`), and BLAS
runs those near the machine's peak. What is left is moving data: im2col copies patches into
rows, col2im adds them back, pooling picks or spreads one value per window. NumPy does each
as a handful of strided whole-array steps whose innermost run is only ``channels`` long (one
element for a grey image), so it spends its time in loop overhead rather than in memory.
Compiled, each becomes one pass with the channels innermost.

Every function takes 2-D images, channels last, ``(batch, height, width, channels)``;
1-D sequences are images of height 1. The NumPy versions in ``conv.py`` and
``pooling.py`` stay the reference: tests check that both give the same numbers.
``SAESSAK_NUMBA=0`` turns this module off.
"""

from __future__ import annotations

from .._numba import ENABLED, jit, numba, plain_arrays


def usable(*arrays) -> bool:
    """True when the compiled loops can take these arrays: plain NumPy float32/float64."""
    return ENABLED and plain_arrays(arrays)


if numba is not None:

    @jit
    def col2im(dcols, out_h, out_w, kh, kw, sh, sw, dh, dw, dx):
        """dx[n, oh*sh + i*dh, ow*sw + j*dw, c] += dcols[row, (i*kw + j)*C + c], where
        row = (n*out_h + oh)*out_w + ow: add every patch's gradient back onto the pixels
        it was read from. ``dx`` (the padded input's shape) must start at zero."""
        channels = dx.shape[3]
        row = 0
        for n in range(dx.shape[0]):
            for oh in range(out_h):
                for ow in range(out_w):
                    patch = dcols[row]
                    for i in range(kh):
                        image_row = dx[n, oh * sh + i * dh]
                        for j in range(kw):
                            pixel = image_row[ow * sw + j * dw]
                            at = (i * kw + j) * channels
                            for c in range(channels):
                                pixel[c] += patch[at + c]
                    row += 1

    @jit
    def max_pool(x, out_h, out_w, ph, pw, sh, sw, y, arg):
        """y[n, oh, ow, c] = the largest x in the window; ``arg`` = its position i*pw + j
        inside the window, the first one on ties (as the NumPy version). A NaN anywhere in
        the window makes y NaN, as ``np.maximum`` does, while ``arg`` moves only on a
        strictly larger value (NaN is never larger). Written with selects, not branches, so
        that the channel loop runs as SIMD code."""
        channels = x.shape[3]
        for n in range(x.shape[0]):
            for oh in range(out_h):
                for ow in range(out_w):
                    best, where = y[n, oh, ow], arg[n, oh, ow]
                    first = x[n, oh * sh, ow * sw]
                    for c in range(channels):
                        best[c] = first[c]
                        where[c] = 0
                    for i in range(ph):
                        for j in range(pw):
                            candidate = x[n, oh * sh + i, ow * sw + j]
                            k = where.dtype.type(i * pw + j)
                            for c in range(channels):
                                better = candidate[c] > best[c]
                                nan = candidate[c] != candidate[c]
                                best[c] = candidate[c] if better or nan else best[c]
                                where[c] = k if better else where[c]

    @jit
    def max_pool_values(x, out_h, out_w, ph, pw, sh, sw, y):
        """:func:`max_pool` without the arg-max positions, for inference: half the time."""
        channels = x.shape[3]
        for n in range(x.shape[0]):
            for oh in range(out_h):
                for ow in range(out_w):
                    best = y[n, oh, ow]
                    first = x[n, oh * sh, ow * sw]
                    for c in range(channels):
                        best[c] = first[c]
                    for i in range(ph):
                        for j in range(pw):
                            candidate = x[n, oh * sh + i, ow * sw + j]
                            for c in range(channels):
                                v = candidate[c]
                                best[c] = v if v > best[c] or v != v else best[c]

    @jit
    def max_pool_backward(g, arg, ph, pw, sh, sw, dx, accumulate):
        """dx[the arg-max pixel of each window] += g: each window sends its gradient to the
        input that won it, zero to the others. With ``accumulate`` (windows that overlap or
        leave pixels out), ``dx`` must start at zero and receives sums; without, every
        pixel of ``dx`` belongs to one window and is simply written. The other pixels get
        ``g * 0``, as in NumPy's ``g * (arg == k)``: 0, or NaN where g is not finite."""
        channels = g.shape[3]
        zero = g.dtype.type(0)
        for n in range(g.shape[0]):
            for oh in range(g.shape[1]):
                for ow in range(g.shape[2]):
                    grad, won = g[n, oh, ow], arg[n, oh, ow]
                    for i in range(ph):
                        for j in range(pw):
                            pixel = dx[n, oh * sh + i, ow * sw + j]
                            k = won.dtype.type(i * pw + j)
                            if accumulate:
                                for c in range(channels):
                                    pixel[c] += grad[c] if won[c] == k else grad[c] * zero
                            else:
                                for c in range(channels):
                                    pixel[c] = grad[c] if won[c] == k else grad[c] * zero

"""Optional numba kernels (the ``fast`` extra) for the row-wise work around the matmuls.

A transformer block spends most of its time in matrix products (BLAS), and most of the rest
in small element-wise passes: the attention softmax and its backward, layer normalization
and ReLU. NumPy runs each of those as four to six whole-array passes (max, subtract, exp,
sum, divide), every one reading and writing the full (T x T) scores from memory. Here each
is one compiled function that visits a block of data once, while it sits in the cache, with
loops written without branches so that LLVM turns them into SIMD code.

The attention kernels work on scores stored key-major, ``S^T`` of shape (blocks, Tk, Tq),
as :mod:`saessak.ops.attention` keeps them: the softmax then reduces down the columns, and a
reduction down columns is an element-wise vector operation across rows (a running maximum
and a running sum, one lane per query). Along a row it would be a horizontal reduction,
which LLVM does not vectorise for a maximum; measured, the column form is ~1.7x faster.

numba here has no SIMD exp: ``math.exp`` in a loop is a scalar libm call, ~20x slower than
NumPy's. :func:`_exp32` below is a float32 exp built from operations that vectorise.

Only float32 runs compiled; float64 (the gradient checks) and CuPy arrays use the NumPy
code in the calling modules, the readable reference that these kernels are tested against.
``SAESSAK_NUMBA=0`` turns this module off.
"""

from __future__ import annotations

import numpy as np

from .._numba import ENABLED, jit, numba, plain_arrays


def usable(*arrays) -> bool:
    """True when the compiled kernels can run on these arrays: plain float32 NumPy arrays
    (``None`` entries are skipped)."""
    return ENABLED and plain_arrays(arrays, (np.float32,))


# --- a vectorisable float32 exp -------------------------------------------------------------
#
# exp(x) = 2^n exp(r) with n = round(x / ln 2) and r = x - n ln 2, |r| <= ln2 / 2:
#
# * n by the "add 1.5 * 2^23" trick: the float32 sum rounds x log2(e) to an integer.
# * r in two steps (Cody and Waite): ln 2 = LN2_HI + LN2_LO, where LN2_HI has only 9
#   significant bits, so that n * LN2_HI and x - n * LN2_HI are exact in float32 here;
#   only the small correction n * LN2_LO rounds.
# * exp(r) ~ 1 + r + r^2 (c2 + c3 r + c4 r^2 + c5 r^3 + c6 r^4): coefficients fitted here
#   (Lawson-weighted least squares on [-ln2/2, ln2/2]) to a relative error of 3.4e-9, far
#   below float32's half ulp (6e-8).
# * 2^n straight from the exponent bits: the float32 with bits (n + 127) << 23. Written as
#   2^(n//2) 2^(n - n//2), each factor stays a normal number for n down to -252, and the
#   final product rounds once into the subnormal range, or underflows to 0 / overflows to
#   inf, exactly where float32 does.
#
# n comes from x clamped to [-104, 89] (exp(-104) rounds to 0 and exp(89) overflows in
# float32), so it never leaves the range above, while r comes from x itself: NaN stays NaN
# and x > 89 gives inf (p > 1 times 2^128). Below -104 the result is set to 0 without the
# multiplication (a product that underflows can cost a slow microcode assist on x86).
#
# Checked once for every float32 in [-104, 89]: at most 1 ulp from the correctly rounded
# exp, 77% of them exactly (NumPy's float32 exp on a dense grid: up to 2 ulp). The test in
# tests/ops/test_fused_numba.py repeats the check on that grid.

_EXP_C = (0.4999999701976776, 0.1666652113199234, 0.04166765883564949,
          0.008368691429495811, 0.001385528827086091)
_EXP_LO, _EXP_HI = -104.0, 89.0
_LOG2E = 1.4426950408889634
_LN2_HI = 0.693359375  # = 355 / 512
_LN2_LO = -2.1219444005469057e-4  # ln 2 - _LN2_HI
_ROUNDER = 12582912.0  # 1.5 * 2^23: adding it rounds a float32 of size < 2^22 to an integer

MASK_PENALTY = np.float32(-1e9)  # what a blocked score becomes (Keras's rule)

if numba is not None:
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def _float32_from_bits(typingctx, bits):
        """The float32 whose IEEE bits are the low 32 bits of the integer ``bits`` (a bit
        cast, no conversion). numba computes integers in int64; the signature below makes
        it truncate them to int32, after which LLVM keeps the whole computation in int32
        SIMD lanes."""
        if not isinstance(bits, types.Integer):
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.FloatType())

        return types.float32(types.int32), codegen

    _f32 = np.float32
    _c2, _c3, _c4, _c5, _c6 = (_f32(c) for c in _EXP_C)
    _lo, _hi, _log2e, _rounder = _f32(_EXP_LO), _f32(_EXP_HI), _f32(_LOG2E), _f32(_ROUNDER)
    _ln2_hi, _ln2_lo = _f32(_LN2_HI), _f32(_LN2_LO)

    @jit(fastmath={"contract"})  # fused multiply-adds: faster, and no less accurate
    def _exp32(x):
        xc = x if x > _lo else _lo  # (NaN becomes _lo here, so that n is always defined)
        xc = xc if xc < _hi else _hi
        n = (xc * _log2e + _rounder) - _rounder  # round(x / ln 2)
        r = (x - n * _ln2_hi) - n * _ln2_lo  # from x itself: NaN stays NaN, x > 89 gives inf
        p = _f32(1.0) + r + r * r * (_c2 + r * (_c3 + r * (_c4 + r * (_c5 + r * _c6))))
        k = np.int32(n)
        half = k >> 1
        y = (p * _float32_from_bits((half + 127) << 23)
             * _float32_from_bits((k - half + 127) << 23))
        return y if not x < _lo else _f32(0.0)

    @jit
    def exp32_array(x, out):
        """``out[i] = _exp32(x[i])`` over 1-D float32 arrays, for the tests."""
        for i in range(x.shape[0]):
            out[i] = _exp32(x[i])

    # --- attention softmax, key-major --------------------------------------------------------
    #
    # Each pass over a (Tk, Tq) block is its own small function: compiled as one function,
    # LLVM vectorised the passes less well (measured: ~20% slower).

    @jit(fastmath={"contract"})
    def _scale_mask_and_max(block, mask, has_mask, scale, colmax):
        """v = scale * s, or -1e9 where blocked, in place; colmax = the maximum of each
        column of v."""
        colmax[:] = -np.inf
        for k in range(block.shape[0]):
            row, mrow = block[k], mask[k]
            for j in range(row.shape[0]):
                v = row[j] * scale
                if has_mask and mrow[j]:
                    v = MASK_PENALTY
                row[j] = v
                colmax[j] = v if v > colmax[j] else colmax[j]

    @jit(fastmath={"contract"})
    def _exp_and_sum(block, colmax, colsum):
        """e = exp(v - colmax) in place (every argument <= 0: no overflow); colsum = the sum
        of each column of e."""
        colsum[:] = 0.0
        for k in range(block.shape[0]):
            row = block[k]
            for j in range(row.shape[0]):
                e = _exp32(row[j] - colmax[j])
                row[j] = e
                colsum[j] += e

    @jit(fastmath={"contract"})
    def _divide_columns(block, colsum):
        for k in range(block.shape[0]):  # (a division, as NumPy's softmax: x * (1 / s)
            row = block[k]               # can be 1 ulp further from the quotient)
            for j in range(row.shape[0]):
                row[j] /= colsum[j]

    @jit
    def softmax_columns(s, scale, blocked, block_of, has_mask, colmax, colsum):
        """In place on ``s`` (blocks, Tk, Tq): every column j of every block becomes
        ``softmax_k(v[k, j])`` with v = scale * s, or -1e9 where ``blocked``.

        ``blocked`` (mask blocks, Tk, Tq) holds the mask of block b at
        ``blocked[block_of[b]]`` (read only when ``has_mask``); ``colmax`` and ``colsum``
        are (Tq,) scratch."""
        for b in range(s.shape[0]):
            block = s[b]
            _scale_mask_and_max(block, blocked[block_of[b]], has_mask, scale, colmax)
            _exp_and_sum(block, colmax, colsum)
            _divide_columns(block, colsum)

    @jit(fastmath={"contract"})
    def _column_dots(gb, pb, coldot):
        """coldot = sum over k of g * p, for each column."""
        coldot[:] = 0.0
        for k in range(gb.shape[0]):
            grow, prow = gb[k], pb[k]
            for j in range(grow.shape[0]):
                coldot[j] += grow[j] * prow[j]

    @jit(fastmath={"contract"})
    def _softmax_gradient(gb, pb, mask, has_mask, scale, coldot):
        """g = scale * p * (g - coldot) in place, 0 where blocked."""
        for k in range(gb.shape[0]):
            grow, prow, mrow = gb[k], pb[k], mask[k]
            for j in range(grow.shape[0]):
                d = scale * prow[j] * (grow[j] - coldot[j])
                if has_mask and mrow[j]:
                    d = 0.0
                grow[j] = d

    @jit
    def softmax_columns_backward(g, p, scale, blocked, block_of, has_mask, coldot):
        """In place on ``g`` (blocks, Tk, Tq), the gradient reaching the weights ``p``: it
        becomes the gradient of the scores, ``scale * p * (g - sum_k g p)`` per column, and
        0 where ``blocked`` (a replaced score does not depend on the input)."""
        for b in range(g.shape[0]):
            _column_dots(g[b], p[b], coldot)
            _softmax_gradient(g[b], p[b], blocked[block_of[b]], has_mask, scale, coldot)

    # --- layer normalization over the last axis ----------------------------------------------
    #
    # A row (the model width) sits in L1 while its passes run. The mean is summed and
    # subtracted in float64, so that each centred value x - mean rounds once: rows with a
    # large offset (1000 + noise of 0.01) keep float32 accuracy, where a float32 mean
    # loses three digits. The other row sums are float32 kept in SIMD lanes (``reassoc``
    # allows the reordering into several partial sums). dgamma and dbeta add up thousands
    # of rows, so they accumulate in float64.

    @jit(fastmath={"contract", "reassoc"})
    def layer_norm_rows(x, gamma, beta, eps, y, xhat, rstd):
        """Over each row of ``x`` (rows, n): ``xhat = (x - mean) / sqrt(var + eps)`` and
        ``y = gamma * xhat + beta``; fills ``y``, ``xhat`` and ``rstd`` (rows,)."""
        n_rows, n = x.shape
        inv_n = 1.0 / n
        for i in range(n_rows):
            row, xh, out = x[i], xhat[i], y[i]
            total = 0.0
            for j in range(n):
                total += row[j]
            mean = total * inv_n  # float64: x - mean below rounds once, to float32
            squares = np.float32(0.0)
            for j in range(n):
                c = np.float32(row[j] - mean)
                xh[j] = c
                squares += c * c
            r = np.float32(1.0 / np.sqrt(squares * inv_n + eps))
            rstd[i] = r
            for j in range(n):
                h = xh[j] * r
                xh[j] = h
                out[j] = h * gamma[j] + beta[j]

    @jit(fastmath={"contract", "reassoc"})
    def layer_norm_rows_backward(g, xhat, rstd, gamma, dx, dgamma, dbeta):
        """The backward of :func:`layer_norm_rows`: with gx = g * gamma,
        ``dx = (gx - mean(gx) - xhat * mean(gx * xhat)) * rstd`` for each row, and
        ``dgamma = sum of g * xhat``, ``dbeta = sum of g`` over the rows (float64 (n,)
        accumulators, zeroed here)."""
        n_rows, n = g.shape
        inv_n = np.float32(1.0 / n)
        for j in range(n):
            dgamma[j] = 0.0
            dbeta[j] = 0.0
        for i in range(n_rows):
            grow, xh, out = g[i], xhat[i], dx[i]
            mean_gx = np.float32(0.0)
            mean_gxh = np.float32(0.0)
            for j in range(n):
                gx = grow[j] * gamma[j]
                mean_gx += gx
                mean_gxh += gx * xh[j]
                dgamma[j] += grow[j] * xh[j]
                dbeta[j] += grow[j]
            mean_gx *= inv_n
            mean_gxh *= inv_n
            r = rstd[i]
            for j in range(n):
                out[j] = (grow[j] * gamma[j] - mean_gx - xh[j] * mean_gxh) * r

    # --- ReLU -----------------------------------------------------------------------------

    # The ReLU kernels keep NumPy's NaN and inf semantics exactly, so that a NaN is never
    # hidden: the forward is ``np.maximum(v, 0)``, which passes NaN on (``v <= 0`` is False
    # for NaN), and the gate of the backward is ``g * (y > 0)``, a product, so a closed gate
    # still turns an infinite or NaN gradient into NaN (0 * inf) rather than into 0.

    @jit
    def relu_backward(g, y, out):
        """``out = g * (y > 0)`` over C-contiguous arrays of one shape, without NumPy's mask
        written and read in between."""
        gf, yf, of = g.reshape(-1), y.reshape(-1), out.reshape(-1)
        for i in range(gf.shape[0]):
            of[i] = gf[i] if yf[i] > 0 else gf[i] * 0.0
        return out

    @jit
    def bias_relu(y, bias):
        """In place, row by row: ``y = max(y + bias, 0)`` for y (rows, n) and bias (n,):
        a Dense layer's bias and ReLU in one pass."""
        for r in range(y.shape[0]):
            row = y[r]
            for j in range(row.shape[0]):
                v = row[j] + bias[j]
                row[j] = 0.0 if v <= 0 else v  # np.maximum(v, 0): NaN stays NaN

    @jit
    def relu_backward_rows(g, y, out, colsum):
        """``out = g * (y > 0)`` for (rows, n) arrays, and ``colsum`` (n,) float64 = the
        column sums of ``out`` (the bias gradient), in the same pass."""
        colsum[:] = 0.0
        for r in range(g.shape[0]):
            grow, yrow, orow = g[r], y[r], out[r]
            for j in range(grow.shape[0]):
                v = grow[j] if yrow[j] > 0 else grow[j] * 0.0
                orow[j] = v
                colsum[j] += v

"""Fourier transforms and the short-time Fourier transform, by Keras 3's names (``keras.ops
.fft``, ``fft2``, ``ifft2``, ``rfft``, ``irfft``, ``stft``, ``istft``).

As in Keras, a complex tensor is a tuple ``(real, imag)`` of two float tensors of one shape,
both as input and as output. Every transform works on the last axis (the last two for
``fft2``/``ifft2``), with NumPy's unnormalised forward convention: X_k = sum_t x_t e^{-2 pi i
kt/n}, and the inverse divides by n. The arithmetic runs in complex128 and the results are
cast back to the input's float dtype (float32 in, float32 out).

Each transform is a linear map, so each is a small Function whose backward is the adjoint
(conjugate transpose) of its forward, written beside it. With L real and G = dL/dRe(y) +
i dL/dIm(y), the gradient of y = A x with respect to x (as Re + i Im) is A^H G.
``stft`` and ``istft`` are compositions: frames (strided windows, a Function whose adjoint is
overlap-add) times the window, then ``rfft``; and ``irfft`` times the synthesis window, then
overlap-add (a Function whose adjoint is framing). Windows are constants (no gradient).
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from .dtypes import common_tensors, float_tensor, strong_dtype
from .gradients import adjoint_op

_C128 = np.complex128


# --- inputs ---------------------------------------------------------------------------------
def _pair(x, name, min_rank):
    """The (real, imag) tuple ``x`` as two Tensors of one float dtype and one shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        got = f"a {type(x).__name__} of length {len(x)}" if isinstance(x, (tuple, list)) \
            else f"a {type(x).__name__}"
        raise ValueError(f"{name}: x must be a tuple (real, imag) of two float tensors; "
                         f"received {got}")
    for part, label in zip(x, ("real", "imaginary")):
        dtype = strong_dtype(part)
        if dtype is None or dtype.kind != "f":
            raise ValueError(f"{name}: the {label} part of x must be a float tensor; "
                             f"received {dtype if dtype is not None else type(part).__name__}")
    real, imag = common_tensors(x)
    if real.shape != imag.shape:
        raise ValueError(f"{name}: the real and imaginary parts must have one shape; "
                         f"received {real.shape} and {imag.shape}")
    if real.ndim < min_rank:
        raise ValueError(f"{name}: x must have rank >= {min_rank}; received shape {real.shape}")
    return real, imag


def _real(x, name, integers_ok):
    """A real signal as a float Tensor of rank >= 1 (integers become floatx when allowed)."""
    dtype = strong_dtype(x)
    if dtype is not None and dtype.kind == "c":
        raise TypeError(f"{name}: x is complex ({dtype}); pass a real float tensor")
    if not integers_ok and (dtype is None or dtype.kind != "f"):
        raise TypeError(f"{name}: x must be a float tensor; received "
                        f"{dtype if dtype is not None else type(x).__name__}")
    x = float_tensor(x)
    if x.ndim < 1:
        raise ValueError(f"{name}: x must have rank >= 1; received shape {x.shape}")
    return x


def _positive_int(value, what, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value <= 0:
        raise ValueError(f"{name}: {what} must be a positive integer; received {value!r}")
    return int(value)


def _complex(real, imag):
    """real + i imag in complex128 (the transforms run in double precision)."""
    z = real.astype(_C128)
    z.imag = imag
    return z


def _fit(a, size):
    """``a`` cropped, or zero-padded at the end, to ``size`` along the last axis."""
    n = a.shape[-1]
    if n >= size:
        return a[..., :size]
    xp = backend.get_array_module(a)
    out = xp.zeros(a.shape[:-1] + (size,), a.dtype)
    out[..., :n] = a
    return out


# --- the transforms -------------------------------------------------------------------------
def _adjoint_ops(self, *grads):
    """``backward_ops`` of a linear op: its backward A^T as an op, whose own backward is the
    op's forward A (see :func:`.pooling.adjoint_op`)."""
    return adjoint_op(self)(*grads)


class _FFT(Function):
    """y = F x over the last ``ndim`` axes (fft, fft2), or y = F^-1 x = F^H x / n (ifft2),
    where F is the DFT matrix and n the number of points it transforms."""

    n_outputs = 2

    def __init__(self, ndim, inverse):
        self.axes = tuple(range(-ndim, 0))
        self.inverse = inverse

    def forward(self, real, imag):
        self.dtype = real.dtype
        xp = backend.get_array_module(real)
        transform = xp.fft.ifftn if self.inverse else xp.fft.fftn
        y = transform(_complex(real, imag), axes=self.axes)
        return y.real.astype(self.dtype), y.imag.astype(self.dtype)

    def backward(self, g_real, g_imag):
        # fft: (F)^H G = sum_k G_k e^{+2 pi i kt/n}, NumPy's ifft without its 1/n;
        # ifft2: (F^H / n)^H G = F G / n, NumPy's fft with the 1/n ("forward" norm)
        xp = backend.get_array_module(g_real)
        adjoint = xp.fft.fftn if self.inverse else xp.fft.ifftn
        g = adjoint(_complex(g_real, g_imag), axes=self.axes, norm="forward")
        return g.real.astype(self.dtype), g.imag.astype(self.dtype)

    def backward_ops(self, g_real, g_imag):  # the same adjoints as _FFT ops: n F^-1, F / n
        n = math.prod(g_real.shape[a] for a in self.axes)
        real, imag = _FFT(len(self.axes), not self.inverse)(g_real, g_imag)
        scale = 1 / n if self.inverse else n
        return real * scale, imag * scale


class _RFFT(Function):
    """X = P F C x: C crops or zero-pads the real x (length N) to n = fft_length, F is the
    n-point DFT and P keeps its first m = n // 2 + 1 bins (the one-sided spectrum)."""

    n_outputs = 2

    def __init__(self, n):
        self.n = n

    def forward(self, x):
        self.dtype, self.length = x.dtype, x.shape[-1]
        xp = backend.get_array_module(x)
        y = xp.fft.rfft(x.astype(np.float64), n=self.n, axis=-1)
        return y.real.astype(self.dtype), y.imag.astype(self.dtype)

    def backward(self, g_real, g_imag):
        # x is real, so dL/dx = Re(C^T F^H P^T G): P^T pads G with zeros to n bins,
        # F^H G = sum_k G_k e^{+2 pi i kt/n} (ifft without its 1/n), C^T crops or zero-pads
        # back to N. Each one-sided bin k appears once in X, so it counts once here.
        xp = backend.get_array_module(g_real)
        g = xp.fft.ifft(_complex(g_real, g_imag), n=self.n, axis=-1, norm="forward").real
        return _fit(g, self.length).astype(self.dtype)

    backward_ops = _adjoint_ops  # linear: the backward above as a recorded op


class _IRFFT(Function):
    """x = irfft(X, n): the m_in bins of X are cropped or zero-padded to m = n // 2 + 1, the
    spectrum is completed by Hermitian symmetry (X_{n-k} = conj X_k) and inverted:
    x_t = (1/n) [Re X_0 + sum_{k=1}^{m-1} c_k (Re X_k cos(2 pi kt/n) - Im X_k sin(2 pi kt/n))]
    with c_k = 2 for the interior bins (k and n-k both carry them) and 1 for Nyquist (k = n/2,
    n even). Im X_0 and Im X_{n/2} are ignored, as NumPy's and TensorFlow's irfft do."""

    def __init__(self, n):
        self.n = n

    def forward(self, real, imag):
        self.dtype, self.bins = real.dtype, real.shape[-1]
        xp = backend.get_array_module(real)
        return xp.fft.irfft(_complex(real, imag), n=self.n, axis=-1).astype(self.dtype)

    def backward(self, g):
        # from the sum above: dL/dRe X_k = (c_k / n) sum_t g_t cos(2 pi kt/n) and
        # dL/dIm X_k = -(c_k / n) sum_t g_t sin(2 pi kt/n), i.e. (c_k / n) rfft(g)_k;
        # 0 for the ignored Im X_0 and Im X_{n/2}, and for bins beyond m (cropped away)
        n = self.n
        xp = backend.get_array_module(g)
        spectrum = xp.fft.rfft(g.astype(np.float64), n=n, axis=-1) / n
        real, imag = spectrum.real.copy(), spectrum.imag.copy()
        interior = slice(1, (n + 1) // 2)
        real[..., interior] *= 2
        imag[..., interior] *= 2
        imag[..., 0] = 0
        if n % 2 == 0:
            imag[..., -1] = 0
        return (_fit(real, self.bins).astype(self.dtype),
                _fit(imag, self.bins).astype(self.dtype))

    backward_ops = _adjoint_ops  # linear: the backward above as a recorded op


def _overlap_add(frames, stride, total):
    """Frames (..., F, L) summed into one signal, frame f starting at f * stride; the first
    ``total`` samples. Runs ceil(L / stride) vectorised steps, not F."""
    xp = backend.get_array_module(frames)
    *lead, count, length = frames.shape
    steps = -(-length // stride)
    chunks = _fit(frames, steps * stride).reshape(*lead, count, steps, stride)
    out = xp.zeros((*lead, count + steps - 1, stride), frames.dtype)
    for j in range(steps):  # chunk j of frame f lands in chunk f + j of the signal
        out[..., j:j + count, :] += chunks[..., j, :]
    return out.reshape(*lead, -1)[..., :total]


def _frame_index(count, length, stride):
    return stride * np.arange(count)[:, None] + np.arange(length)[None, :]


class _Frames(Function):
    """frames[..., f, j] = p[..., f * stride + j], where p is x reflect-padded by ``pad`` on
    each side (p_{pad - i} = x_i and p_{pad + N - 1 + i} = x_{N - 1 - i}, edges not repeated)."""

    def __init__(self, length, stride, pad):
        self.length, self.stride, self.pad = length, stride, pad

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.size = x.shape[-1]
        if self.pad:
            x = xp.pad(x, [(0, 0)] * (x.ndim - 1) + [(self.pad, self.pad)], mode="reflect")
        self.padded = x.shape[-1]
        count = 1 + (self.padded - self.length) // self.stride
        return x[..., xp.asarray(_frame_index(count, self.length, self.stride))]

    def backward(self, g):
        # the adjoint of reading overlapping windows is overlap-adding them back; the adjoint
        # of reflect padding folds each mirrored sample's gradient onto the sample it copied
        p, n = self.pad, self.size
        gp = _overlap_add(g, self.stride, self.padded)
        if self.padded > gp.shape[-1]:  # samples after the last frame get no gradient
            gp = _fit(gp, self.padded)
        gx = gp[..., p:p + n].copy()
        if p:
            gx[..., 1:p + 1] += gp[..., :p][..., ::-1]
            gx[..., n - 1 - p:n - 1] += gp[..., p + n:][..., ::-1]
        return gx

    backward_ops = _adjoint_ops  # linear: the backward above as a recorded op


class _OverlapAdd(Function):
    """signal[..., s] = sum over f, j with f * stride + j = s of frames[..., f, j]."""

    def __init__(self, stride):
        self.stride = stride

    def forward(self, frames):
        count, self.length = frames.shape[-2:]
        return _overlap_add(frames, self.stride, (count - 1) * self.stride + self.length)

    def backward(self, g):  # the adjoint of overlap-add reads the overlapping windows back
        count = 1 + (g.shape[-1] - self.length) // self.stride
        xp = backend.get_array_module(g)
        return g[..., xp.asarray(_frame_index(count, self.length, self.stride))]

    backward_ops = _adjoint_ops  # linear: the backward above as a recorded op


# --- the public functions -------------------------------------------------------------------
def fft(x):
    """The DFT along the last axis of ``x = (real, imag)``; returns ``(real, imag)``."""
    return _FFT(1, inverse=False)(*_pair(x, "fft", 1))


def fft2(x):
    """The 2D DFT over the last two axes of ``x = (real, imag)``; returns ``(real, imag)``."""
    return _FFT(2, inverse=False)(*_pair(x, "fft2", 2))


def ifft2(x):
    """The inverse 2D DFT (with its 1 / (h w)) over the last two axes of ``(real, imag)``."""
    return _FFT(2, inverse=True)(*_pair(x, "ifft2", 2))


def rfft(x, fft_length=None):
    """The one-sided DFT of the real ``x`` along its last axis: ``fft_length // 2 + 1`` bins
    (``fft_length`` defaults to the axis length; a shorter one crops ``x``, a longer one pads
    it with zeros). Integer inputs become floatx. Returns ``(real, imag)``."""
    x = _real(x, "rfft", integers_ok=True)
    n = _positive_int(fft_length, "fft_length", "rfft", allow_none=True) or x.shape[-1]
    if n == 0:
        raise ValueError("rfft: the last axis of x is empty; give a positive fft_length")
    return _RFFT(n)(x)


def irfft(x, fft_length=None):
    """The real signal of ``fft_length`` samples whose one-sided spectrum is ``x = (real,
    imag)`` (its bins cropped or zero-padded to ``fft_length // 2 + 1``). ``fft_length``
    defaults to ``2 * (bins - 1)``: give it for an odd length."""
    real, imag = _pair(x, "irfft", 1)
    n = _positive_int(fft_length, "fft_length", "irfft", allow_none=True)
    if n is None:
        n = 2 * (real.shape[-1] - 1)
        if n <= 0:
            raise ValueError(f"irfft: cannot infer fft_length from {real.shape[-1]} bin(s); "
                             "pass fft_length")
    return _IRFFT(n)(real, imag)


def _window(window, sequence_length, fft_length, name):
    """The window of ``sequence_length`` samples, zero-padded (centred) to ``fft_length``, as
    a float64 NumPy array; None for no window. 'hann' and 'hamming' are periodic, as Keras's
    are, and [1] for one sample."""
    if window is None:
        return None
    if isinstance(window, str):
        t = 2 * np.pi * np.arange(sequence_length) / sequence_length
        if window in ("hann", "hamming") and sequence_length == 1:
            win = np.ones(1)  # TensorFlow's (and SciPy's) one-sample window
        elif window == "hann":
            win = 0.5 - 0.5 * np.cos(t)
        elif window == "hamming":
            win = 0.54 - 0.46 * np.cos(t)
        else:
            raise ValueError(f"{name}: window must be 'hann', 'hamming', a tensor or None; "
                             f"received {window!r}")
    else:
        win = np.asarray(backend.to_numpy(window), np.float64)
        if win.shape != (sequence_length,):
            raise ValueError(f"{name}: the window must have shape ({sequence_length},) "
                             f"(sequence_length); received {win.shape}")
    left = (fft_length - sequence_length) // 2
    return np.pad(win, (left, fft_length - sequence_length - left))


def _stft_sizes(sequence_length, sequence_stride, fft_length, name):
    length = _positive_int(sequence_length, "sequence_length", name)
    stride = _positive_int(sequence_stride, "sequence_stride", name)
    n = _positive_int(fft_length, "fft_length", name, allow_none=True)
    if n is None:  # Keras's documented default: the smallest power of 2 >= sequence_length
        n = 1 << (length - 1).bit_length()
    if n < length:
        raise ValueError(f"{name}: fft_length ({n}) must be at least sequence_length "
                         f"({length})")
    return length, stride, n


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform along the last axis of the real float ``x``.

    Frames of ``fft_length`` samples start every ``sequence_stride`` samples; each is
    multiplied by the window (``sequence_length`` samples, centred in the frame, zeros
    around it) and transformed by ``rfft``. With ``center=True``, ``x`` is first
    reflect-padded by ``fft_length // 2`` on both sides, so frame t is centred on sample
    t * sequence_stride. Returns ``(real, imag)`` of shape (..., frames, fft_length // 2 + 1)
    with frames = 1 + (padded length - fft_length) // sequence_stride.
    """
    x = _real(x, "stft", integers_ok=False)
    length, stride, n = _stft_sizes(sequence_length, sequence_stride, fft_length, "stft")
    win = _window(window, length, n, "stft")
    pad = n // 2 if center else 0
    size = x.shape[-1]
    if pad and pad >= size:
        raise ValueError(f"stft: center=True reflect-pads fft_length // 2 = {pad} samples on "
                         f"each side, which needs a signal longer than that; received {size}")
    if size + 2 * pad < n:
        raise ValueError(f"stft: the signal ({size + 2 * pad} samples after padding) is "
                         f"shorter than one frame (fft_length = {n})")
    frames = _Frames(n, stride, pad)(x)
    if win is not None:
        frames = frames * backend.get_array_module(x.data).asarray(win.astype(x.dtype))
    return _RFFT(n)(frames)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of :func:`stft` (give it the same arguments): each frame of ``x = (real,
    imag)`` (..., frames, bins) goes through ``irfft``, is multiplied by the synthesis window
    w / sum_f w(t - f * stride)^2 (0 where that sum is 0), and the frames are overlap-added,
    as TensorFlow's ``inverse_stft`` does; without a window they are only overlap-added.
    With ``center=True`` the fft_length // 2 padded samples are cut from each end; ``length``
    keeps that many samples from the start (or fewer, when there are fewer).
    """
    real, imag = _pair(x, "istft", 2)
    seq, stride, n = _stft_sizes(sequence_length, sequence_stride, fft_length, "istft")
    length = _positive_int(length, "length", "istft", allow_none=True)
    win = _window(window, seq, n, "istft")
    frames = _IRFFT(n)(real, imag)
    if win is not None:
        squares = win * win
        steps = -(-n // stride)  # the squared windows that overlap each sample, summed
        denom = np.tile(np.pad(squares, (0, steps * stride - n)).reshape(steps, stride)
                        .sum(axis=0), steps)[:n]
        synthesis = np.divide(win, denom, out=np.zeros(n),
                              where=denom != 0)
        frames = frames * backend.get_array_module(real.data).asarray(
            synthesis.astype(real.dtype))
    signal = _OverlapAdd(stride)(frames)
    start = n // 2 if center else 0
    if length is not None:
        end = start + length
    else:  # Keras slices [n // 2 : -(n // 2)], which is empty when n // 2 == 0
        end = signal.shape[-1] - start
    return signal[..., start:end]

"""Keras 3's audio layers: MelSpectrogram and STFTSpectrogram.

MelSpectrogram maps raw audio (samples,) or (batch, samples) to a mel spectrogram
(..., num_mel_bins, frames): the magnitude of :func:`saessak.ops.stft` (``center=True``,
reflect padding) raised to ``mag_exp``, times a matrix of triangular mel filters (HTK's mel
scale, mel(f) = 1127 ln(1 + f / 700), each filter peaking at 1), optionally in decibels:
10 log10(max(S, min_power)) - 10 log10(max(|ref_power|, min_power)), floored at the
largest value of the whole batch minus ``top_db``. It computes in float32 (float64 for a
float64 layer) and returns the layer's dtype. It has no weights.

STFTSpectrogram computes the STFT of (batch, time, channels) signals as a strided
convolution with two kernels of shape (frame_length, 1, fft_length // 2 + 1), one for the
real part (cos) and one for the imaginary part (-sin) of the DFT, each multiplied by the
window and divided by its L2 norm (``scaling='density'``), its L1 norm (``'spectrum'``) or
nothing (None). The kernels are the layer's weights, trainable by default as in Keras
(gradients flow through the convolution). The channels are transformed independently with
the same kernels; ``mode`` picks the output: 'log' (natural log of the magnitude),
'magnitude', 'psd' (power, interior bins doubled), 'real', 'imag', 'angle' or 'stft' (real
then imaginary bins). Windows are SciPy's (``scipy.signal.get_window``): 'hann',
'hamming', 'blackman', 'bartlett' and 'boxcar' are computed here; other SciPy names need
SciPy installed. ``periodic=False`` (the default) gives the symmetric window.

>>> MelSpectrogram(num_mel_bins=64, sampling_rate=8000, sequence_stride=256)(
...     np.random.rand(16000).astype("float32")).shape
(64, 63)
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import backend, ops
from ...autograd.tensor import Tensor
from ...ops.data_format import check_data_format
from ..input_spec import InputSpec
from ..layer import Layer

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0
_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _positive_int(owner, name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, received {value!r}")
    return int(value)


# --- MelSpectrogram --------------------------------------------------------------------------
def _hz_to_mel(hz, dtype):
    one = dtype.type(1.0)
    return dtype.type(_MEL_HIGH_Q) * np.log(one + hz / dtype.type(_MEL_BREAK_HZ))


def _linspace(start, stop, num, dtype):
    """start + i (stop - start) / (num - 1), ending exactly at ``stop``, in ``dtype`` (the
    single-precision steps TensorFlow's linspace takes)."""
    start, stop = dtype.type(start), dtype.type(stop)
    if num == 1:
        return np.array([start], dtype)
    out = np.arange(num, dtype=dtype) * ((stop - start) / dtype.type(num - 1)) + start
    out[-1] = stop
    return out


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz,
                      upper_edge_hertz, dtype="float32"):
    """The (num_spectrogram_bins, num_mel_bins) matrix of HTK triangular mel filters: bin k
    (at k sampling_rate / (2 (num_spectrogram_bins - 1)) Hz) in filter m weighs
    max(0, min((mel_k - lo_m) / (c_m - lo_m), (hi_m - mel_k) / (hi_m - c_m))), where the
    filters' edges and centres split [mel(lower), mel(upper)] into num_mel_bins + 1 equal
    steps; the DC bin weighs 0. Computed in ``dtype`` as Keras computes it."""
    dtype = np.dtype(dtype)
    nyquist = dtype.type(sampling_rate) / dtype.type(2.0)
    freqs = _linspace(0.0, nyquist, int(num_spectrogram_bins), dtype)[1:]
    bins_mel = _hz_to_mel(freqs, dtype)[:, None]
    edges = _linspace(_hz_to_mel(dtype.type(lower_edge_hertz), dtype),
                      _hz_to_mel(dtype.type(upper_edge_hertz), dtype),
                      int(num_mel_bins) + 2, dtype)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = (bins_mel - lower) / (center - lower)
        falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(dtype.type(0.0), np.minimum(rising, falling))
    return np.pad(weights, [(1, 0), (0, 0)]).astype(dtype)


class MelSpectrogram(Layer):
    """Raw audio (samples,) or (batch, samples) -> mel spectrogram (..., num_mel_bins,
    frames), frames = 1 + (samples + 2 (fft_length // 2) - fft_length) // sequence_stride
    (see the module docstring)."""

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        owner = "MelSpectrogram"
        self.fft_length = _positive_int(owner, "fft_length", fft_length)
        self.sequence_stride = _positive_int(owner, "sequence_stride", sequence_stride)
        self.sequence_length = _positive_int(owner, "sequence_length",
                                             sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"{owner}: fft_length must be at least sequence_length; "
                             f"received sequence_length={self.sequence_length}, "
                             f"fft_length={self.fft_length}")
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(f"{owner}: window must be 'hann', 'hamming', an array of "
                             f"sequence_length values or None; received {window!r}")
        if window is not None and not isinstance(window, str):
            window = np.asarray(backend.to_numpy(window), np.float64)
            if window.shape != (self.sequence_length,):
                raise ValueError(f"{owner}: a window array must have shape "
                                 f"({self.sequence_length},) (sequence_length); received "
                                 f"{window.shape}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = _positive_int(owner, "num_mel_bins", num_mel_bins)
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def _compute_dtype(self):
        return np.dtype("float64" if self.dtype == "float64" else "float32")

    def call(self, inputs):
        dtype = self._compute_dtype()
        x = ops.cast(inputs, dtype.name)
        real, imag = ops.stft(x, sequence_length=self.sequence_length,
                              sequence_stride=self.sequence_stride,
                              fft_length=self.fft_length, window=self.window, center=True)
        spec = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        matrix = self.linear_to_mel_weight_matrix(
            num_mel_bins=self.num_mel_bins, num_spectrogram_bins=spec.shape[-1],
            sampling_rate=self.sampling_rate, lower_edge_hertz=self.min_freq,
            upper_edge_hertz=self.max_freq, dtype=dtype.name)
        mel = ops.tensordot(spec, matrix, axes=1)
        if self.power_to_db:
            mel = self._to_db(mel, dtype)
        return ops.cast(ops.swapaxes(mel, -1, -2), self.dtype)

    def _to_db(self, mel, dtype):
        floor = dtype.type(self.min_power)
        db = 10.0 * ops.log10(ops.maximum(mel, floor))
        ref = np.maximum(np.abs(dtype.type(self.ref_power)), floor)
        db = db - dtype.type(10.0) * np.log10(ref)
        # the floor is relative to the largest value of the whole batch, as in Keras
        return ops.maximum(db, ops.max(db) - float(self.top_db))

    def linear_to_mel_weight_matrix(self, num_mel_bins=20, num_spectrogram_bins=129,
                                    sampling_rate=8000, lower_edge_hertz=125.0,
                                    upper_edge_hertz=3800.0, dtype="float32"):
        """Keras's method: the (num_spectrogram_bins, num_mel_bins) matrix that maps a
        linear-frequency spectrum (..., bins) to mel bands by ``tensordot(S, A, 1)``."""
        return Tensor(backend.asarray(mel_weight_matrix(
            num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz,
            upper_edge_hertz, dtype)))

    def _frames(self, samples):
        if samples is None:
            return None
        padded = samples + 2 * (self.fft_length // 2)
        return 1 + (padded - self.fft_length) // self.sequence_stride

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) not in (1, 2):
            raise ValueError(f"MelSpectrogram {self.name!r}: expected audio of shape "
                             f"(samples,) or (batch, samples), received {input_shape}")
        return input_shape[:-1] + (self.num_mel_bins, self._frames(input_shape[-1]))

    def get_config(self):
        window = self.window
        if isinstance(window, np.ndarray):
            window = window.tolist()
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}


# --- STFTSpectrogram -------------------------------------------------------------------------
def _cosine_sum(n, coefficients):
    """sum_k (-1)^k a_k cos(2 pi k i / (n - 1)), i = 0 .. n-1 (SciPy's general_cosine)."""
    phase = np.linspace(-np.pi, np.pi, n)
    return sum(a * np.cos(k * phase) for k, a in enumerate(coefficients))


def _bartlett(n):
    i = np.arange(n)
    half = (n - 1) / 2.0
    return np.where(i <= half, 2.0 * i / (n - 1), 2.0 - 2.0 * i / (n - 1))


_WINDOWS = {
    "hann": lambda n: _cosine_sum(n, (0.5, 0.5)),
    "hamming": lambda n: _cosine_sum(n, (0.54, 0.46)),
    "blackman": lambda n: _cosine_sum(n, (0.42, 0.50, 0.08)),
    "bartlett": _bartlett,
    "boxcar": np.ones,
}


def _scipy_window(window, length, periodic):
    try:
        from scipy.signal import get_window
    except ImportError:
        raise ValueError(f"STFTSpectrogram: window {window!r} needs SciPy "
                         f"(scipy.signal.get_window); saessak itself computes "
                         f"{sorted(_WINDOWS)}") from None
    return np.asarray(get_window(window, length, fftbins=periodic), np.float64)


def get_window(window, length, periodic=False):
    """SciPy's window of ``length`` samples: symmetric, or periodic (the first ``length``
    of ``length + 1`` symmetric samples) when ``periodic``; [1] for one sample."""
    if isinstance(window, str) and window in _WINDOWS:
        if length <= 1:
            return np.ones(length)
        n = length + 1 if periodic else length
        return np.asarray(_WINDOWS[window](n), np.float64)[:length]
    return _scipy_window(window, length, periodic)


def _check_window(window):
    """A window name SciPy knows (checked by making a one-sample window), or an array."""
    if isinstance(window, (str, tuple)):
        if isinstance(window, str) and window in _WINDOWS:
            return window
        try:
            _scipy_window(window, 1, False)
        except ValueError as err:
            raise ValueError(f"STFTSpectrogram: invalid window {window!r}: {err}") from None
    return window


def stft_kernel(side, window, scaling, periodic, shape, dtype="float32"):
    """The (frame_length, 1, bins) kernel of the STFT's real (cos) or imaginary (-sin) part:
    kernel[t, 0, k] = cos or sin(-2 pi t k / (2 (bins - 1))) w_t / scale, computed in
    ``dtype`` in the order Keras computes it (``keras.initializers.STFT``)."""
    dtype = np.dtype(dtype)
    frame_length, _, bins = shape
    t = np.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
    freq = np.arange(bins, dtype=dtype).reshape(1, 1, bins) / dtype.type((bins - 1) * 2)
    angle = (dtype.type(-2) * t) * freq * dtype.type(np.pi)
    kernel = (np.cos(angle) if side == "real" else np.sin(angle)).astype(dtype)
    if window is None:
        return kernel
    win = window
    if isinstance(win, (str, tuple)):
        win = get_window(win, frame_length, periodic)
    win = np.asarray(backend.to_numpy(win)).astype(dtype)
    if win.ndim != 1 or win.shape[0] != frame_length:
        raise ValueError(f"STFTSpectrogram: the window must have shape ({frame_length},) "
                         f"(frame_length); received {win.shape}")
    win = win.reshape(frame_length, 1, 1)
    scale = dtype.type(1)
    if scaling == "density":
        scale = np.sqrt(np.sum(np.square(win)))
    elif scaling == "spectrum":
        scale = np.sum(np.abs(win))
    return (kernel * win / scale).astype(dtype)


class STFTSpectrogram(Layer):
    """Spectrograms of (batch, time, channels) signals (channels first: (batch, channels,
    time)) by a convolution with STFT kernels (see the module docstring).

    Output, with F = fft_length // 2 + 1 bins (2 F for mode='stft') and T frames
    ((time - frame_length) // frame_step + 1 for 'valid', ceil(time / frame_step) for
    'same'): channels last (batch, T, channels * F), or (batch, T, F, channels) with
    ``expand_dims``; channels first (batch, channels * F, T), or (batch, channels, T, F).
    """

    _integer_inputs = True  # integer signals are a TypeError, as in Keras, not cast

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        owner = "STFTSpectrogram"
        frame_length = _positive_int(owner, "frame_length", frame_length)
        if frame_step is not None and (isinstance(frame_step, bool)
                                       or not isinstance(frame_step, (int, np.integer))
                                       or not 1 <= frame_step <= frame_length):
            raise ValueError(f"{owner}: frame_step must be a positive integer not greater "
                             f"than frame_length; received frame_step={frame_step!r}, "
                             f"frame_length={frame_length}")
        if fft_length is not None:
            _positive_int(owner, "fft_length", fft_length)
            if fft_length < frame_length:
                raise ValueError(f"{owner}: fft_length must be at least frame_length; "
                                 f"received fft_length={fft_length}, "
                                 f"frame_length={frame_length}")
            if fft_length & (fft_length - 1):
                warnings.warn(f"{owner}: fft_length is recommended to be a power of two; "
                              f"received fft_length={fft_length}", stacklevel=2)
        if mode not in _STFT_MODES:
            raise ValueError(f"{owner}: mode must be one of {', '.join(_STFT_MODES)}; "
                             f"received mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"{owner}: scaling must be None, 'density' or 'spectrum'; "
                             f"received scaling={scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{owner}: padding must be 'valid' or 'same'; received "
                             f"padding={padding!r}")
        window = _check_window(window)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        if self._frame_step < 1:
            raise ValueError(f"{owner}: frame_step defaults to frame_length // 2, which is 0 "
                             f"for frame_length={frame_length}; give frame_step")
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = check_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        sides = [s for s, skip in (("real", "imag"), ("imag", "real")) if self.mode != skip]
        for side in sides:
            kernel = stft_kernel(side, self.window, self.scaling, self.periodic, shape,
                                 self.dtype)
            var = self.add_weight(name=f"{side}_kernel", shape=shape,
                                  initializer=lambda shape, dtype=None, k=kernel: k)
            setattr(self, f"{side}_kernel", var)

    def _frames(self, inputs):
        """Each channel's STFT parts, (batch, channels, frames, bins) per kernel."""
        x = inputs if self.data_format == "channels_first" else ops.transpose(inputs,
                                                                              (0, 2, 1))
        channels, time = x.shape[1], x.shape[2]
        signals = ops.reshape(x, (-1, time, 1))
        kernels = [getattr(self, f"{s}_kernel") for s in ("real", "imag")
                   if hasattr(self, f"{s}_kernel")]
        kernel = kernels[0] if len(kernels) == 1 else ops.concatenate(kernels, axis=-1)
        y = ops.conv(signals, ops.cast(kernel, x.dtype.name), strides=self._frame_step,
                     padding=self.padding, data_format="channels_last")
        y = ops.reshape(y, (-1, channels) + tuple(y.shape[1:]))
        if len(kernels) == 1:
            return [y]
        bins = kernels[0].shape[-1]
        return [y[..., :bins], y[..., bins:]]

    def _arrange(self, y):
        """(batch, channels, frames, bins) -> the layer's output layout."""
        batch, channels, frames, bins = y.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(y, (0, 2, 3, 1))
            return ops.reshape(ops.transpose(y, (0, 2, 1, 3)), (-1, frames, channels * bins))
        if self.expand_dims:
            return y
        return ops.reshape(ops.transpose(y, (0, 1, 3, 2)), (-1, channels * bins, frames))

    def call(self, inputs):
        dtype = np.dtype(inputs.dtype)
        if dtype.name not in ("float16", "float32", "float64"):
            raise TypeError(f"STFTSpectrogram {self.name!r}: expected a float16, float32 or "
                            f"float64 signal, received {dtype.name}")
        parts = self._frames(inputs)
        if self.mode in ("real", "imag"):
            return self._arrange(parts[0])
        real, imag = parts
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=-1))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":  # a one-sided density: the interior bins count twice
            interior = ops.pad(power[..., 1:-1], [(0, 0), (0, 0), (0, 0), (1, 1)])
            return self._arrange(power + interior)
        eps = backend.epsilon()
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, eps)))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, eps))

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        if self.data_format == "channels_last":
            time, channels = input_shape[1], input_shape[2]
        else:
            channels, time = input_shape[1], input_shape[2]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if time is None:
            frames = None
        elif self.padding == "valid":
            frames = (time - self.frame_length) // self._frame_step + 1
        else:
            frames = -(-time // self._frame_step)
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        features = None if channels is None else channels * bins
        return ((batch, frames, features) if self.data_format == "channels_last"
                else (batch, features, frames))

    def get_config(self):
        window = self.window
        if isinstance(window, np.ndarray):
            window = window.tolist()
        return {**super().get_config(), "mode": self.mode,
                "frame_length": self.frame_length, "frame_step": self.frame_step,
                "fft_length": self.fft_length, "window": window, "periodic": self.periodic,
                "scaling": self.scaling, "padding": self.padding,
                "data_format": self.data_format, "expand_dims": self.expand_dims}

"""Initializers: where the weights of a fresh layer start.

A network learns only if the signal neither dies out nor blows up on its way through the
layers. The variance-scaling family (Glorot, He, LeCun) picks the spread of the random
weights from the number of inputs and outputs of a unit ("fan-in" and "fan-out") so that
the variance of activations (and of gradients) stays about the same from layer to layer.

Every initializer is called as ``init(shape, dtype=None)`` and returns a NumPy array of
``backend.floatx()`` unless ``dtype`` says otherwise. A seeded initializer gives the same
values on every call; an unseeded one draws from ``backend.rng()``, so
``saessak.set_random_seed`` makes a whole run repeat.

Example: ``GlorotUniform(seed=0)((784, 10))`` has std about sqrt(2 / (784 + 10)) = 0.050.
"""

from __future__ import annotations

import math

import numpy as np

from . import backend
from ._registry import Configurable, Registry

# --- base class --------------------------------------------------------------------------


class Initializer(Configurable):
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``."""

    def __call__(self, shape, dtype=None):  # pragma: no cover - abstract
        raise NotImplementedError


def _shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"initializer: expected a shape (tuple of non-negative ints), "
                         f"received {shape!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"initializer: shape sizes must be non-negative, received {shape}")
    return shape


def _dtype(dtype):
    dtype = np.dtype(dtype or backend.floatx())
    if dtype.kind != "f":
        raise ValueError(f"initializer: expected a float dtype, received {dtype.name!r}")
    return dtype


class _Random(Initializer):
    """An initializer that draws random numbers, reproducibly when ``seed`` is given."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"{type(self).__name__}: seed must be an int or None, "
                             f"received {seed!r}")
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        # A fixed seed restarts its own generator on every call (same values each time).
        return backend.rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


# --- constants ---------------------------------------------------------------------------


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(_shape(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class Zeros(Constant):
    """All zeros: the usual start for biases."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    """All ones: the usual start for scales (BatchNormalization's gamma)."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class Identity(Initializer):
    """``gain`` times the identity matrix, for 2-D shapes (e.g. a recurrent kernel)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity: expected a 2-D shape, received {shape}")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


# --- plain random distributions -----------------------------------------------------------


class RandomNormal(_Random):
    """Normal distribution N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        x = self._rng().normal(self.mean, self.stddev, _shape(shape))
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(_Random):
    """Uniform distribution on [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        x = self._rng().uniform(self.minval, self.maxval, _shape(shape))
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def _truncated_normal(rng, shape, stddev):
    """N(0, stddev^2) with every draw beyond two standard deviations drawn again."""
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2
    while bad.any():  # about 4.6% of draws each round, so this ends quickly
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2
    return x * stddev


class TruncatedNormal(_Random):
    """Normal distribution cut at two standard deviations from the mean (redrawn beyond)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        x = _truncated_normal(self._rng(), _shape(shape), self.stddev) + self.mean
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


# --- variance scaling ---------------------------------------------------------------------


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape, as Keras counts them.

    A Dense kernel ``(in, out)`` has fans ``in`` and ``out``. A convolution kernel
    ``(*window, in_channels, out_channels)`` connects each output to ``window * in``
    inputs, so the window size (the receptive field) multiplies both fans.
    """
    shape = _shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


# std of N(0, 1) truncated at +-2: dividing by it makes the truncated draws have unit variance
_TRUNCATED_STD = 0.87962566103423978


class VarianceScaling(_Random):
    """Random weights with variance ``scale / n``, where n is fan-in, fan-out or their mean.

    - ``'truncated_normal'``: std = sqrt(scale / n) / 0.8796 (the truncated std fixed up)
    - ``'untruncated_normal'``: std = sqrt(scale / n)
    - ``'uniform'``: U(-limit, limit) with limit = sqrt(3 scale / n) (uniform variance is
      limit^2 / 3)
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling: scale must be positive, received {scale!r}")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {self._MODES}, "
                             f"received {mode!r}")
        if distribution == "normal":  # the tf.keras 1 name of truncated_normal
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{self._DISTRIBUTIONS}, received {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            x = _truncated_normal(rng, shape, math.sqrt(variance) / _TRUNCATED_STD)
        elif self.distribution == "untruncated_normal":
            x = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            x = rng.uniform(-limit, limit, shape)
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed scale, mode and distribution; only the seed is free."""

    preset: tuple = ()

    def __init__(self, seed=None):
        super().__init__(*self.preset, seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Glorot (Xavier): variance 2 / (fan_in + fan_out); the Keras default for kernels."""

    preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    preset = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """He: variance 2 / fan_in, which makes up for ReLU zeroing half of its inputs."""

    preset = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    preset = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun: variance 1 / fan_in (the SELU initializer)."""

    preset = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    preset = (1.0, "fan_in", "truncated_normal")


# --- orthogonal ---------------------------------------------------------------------------


class Orthogonal(_Random):
    """A random orthogonal matrix (times ``gain``): the QR decomposition of a Gaussian one.

    The shape is read as a matrix of ``prod(shape[:-1])`` rows and ``shape[-1]`` columns;
    its rows (or columns, whichever are fewer) are orthonormal. Keras uses it for the
    recurrent kernels of LSTM and GRU, where repeated products must neither grow nor shrink.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: expected a shape of rank 2 or more, "
                             f"received {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # makes the factorisation unique, so q is uniformly random
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


# --- snake_case aliases (tf.keras exposes the classes under these names too) ---------------

zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal

_CLASSES = {c.__name__: c for c in (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
    LecunNormal, Orthogonal)}
_NAMES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "identity": Identity, "random_normal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
}


_registry = Registry("initializer", Initializer, {**_CLASSES, **_NAMES})
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize

"""``tf.random`` (also ``keras.random``): draws from saessak's global generator, which
``tf.random.set_seed`` / ``keras.utils.set_random_seed`` seed, or from ``seed`` when given."""

from __future__ import annotations

import numpy as np

from .. import backend, ops
from ..autograd import Tensor
from ..initializers import _truncated_normal
from ._namespace import Namespace
from .tensors import _dtype, _shape, _t


class SeedGenerator:
    """Keras 3's stateful seed (``keras.random.SeedGenerator(1337)``): passed as ``seed=``,
    each draw continues its own random sequence, so a layer that owns one draws the same
    numbers in every run, apart from the global generator."""

    def __init__(self, seed=None, name=None, **kwargs):
        self.seed, self.name = seed, name
        self.generator = backend.make_rng(seed)

    def next(self, ordered=True):
        """A fresh integer seed from this generator's sequence."""
        return int(self.generator.integers(2**31 - 1))

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


def _rng(seed):
    """The generator a draw uses: the global one, a new one from an int seed (the same draws
    every call, as Keras's int seeds), or a SeedGenerator's own."""
    if isinstance(seed, SeedGenerator):
        return seed.generator
    return backend.make_rng(seed) if seed is not None else backend.rng()


def _float(dtype):
    return _dtype(dtype) or np.dtype(backend.floatx())


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draw ``num_samples`` class indices per row of unnormalised log-probabilities.

    ``logits`` is (batch, classes); the result is (batch, num_samples) int64.
    """
    z = np.asarray(_t(logits).data, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"random.categorical: logits must be 2-D (batch, classes), received "
                         f"shape {z.shape}")
    p = np.exp(z - z.max(axis=1, keepdims=True))   # softmax of each row
    p /= p.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(p, axis=1)
    u = _rng(seed).random((z.shape[0], int(num_samples)))
    draws = np.minimum((u[:, :, None] > cumulative[:, None, :]).sum(-1), z.shape[1] - 1)
    return Tensor(draws.astype(_dtype(dtype) or np.int64))


def uniform(shape, minval=0, maxval=None, dtype=None, seed=None, name=None):
    """Uniform draws in [minval, maxval); integers need ``maxval``, floats default to 1."""
    dtype = _float(dtype)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: an integer dtype needs maxval")
        return Tensor(_rng(seed).integers(minval, maxval, size=_shape(shape)).astype(dtype))
    maxval = 1 if maxval is None else maxval
    return Tensor(_rng(seed).uniform(minval, maxval, size=_shape(shape)).astype(dtype))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    return Tensor(_rng(seed).normal(mean, stddev, size=_shape(shape)).astype(_float(dtype)))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    """Normal draws redrawn until within two standard deviations of the mean."""
    values = _truncated_normal(_rng(seed), _shape(shape), stddev) + mean
    return Tensor(np.asarray(values).astype(_float(dtype)))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """``keras.random.randint``: integers in [minval, maxval)."""
    return uniform(shape, minval, maxval, dtype=dtype, seed=seed)


def shuffle(value, seed=None, name=None, axis=0):
    """The tensor with its first axis in a random order (gradients follow the rows)."""
    value = _t(value)
    order = _rng(seed).permutation(value.shape[axis])
    return ops.gather(value, order, axis=axis)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """``keras.random.dropout``: zero each element with probability ``rate``, scale the rest
    by 1/(1 - rate) so the expected value is unchanged (differentiable)."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), received {rate}")
    x = _t(inputs)
    if rate == 0:
        return x
    mask = backend.dropout_mask(_rng(seed), noise_shape or x.shape, rate, x.dtype)
    return x * backend.asarray(mask)


random = Namespace(
    "tf.random", "tf.random / keras.random: seeded draws",
    categorical=categorical, set_seed=backend.set_random_seed, uniform=uniform,
    SeedGenerator=SeedGenerator,
    normal=normal, truncated_normal=truncated_normal, randint=randint, shuffle=shuffle,
    dropout=dropout)

"""Normalization: shift and scale features to mean 0 and variance 1 inside the model.

``y = (x - mean) / max(sqrt(variance), epsilon)``, with ``epsilon = backend.epsilon()``;
``invert=True`` computes ``x * max(sqrt(variance), epsilon) + mean`` instead. The mean and
variance are given, or learned by ``adapt``: one per index of the kept ``axis`` (default
the last), over all other axes. The variance is the population variance (divided by the
count, not count - 1), as Keras computes it. Over a Dataset the per-batch means and
variances are combined exactly (the pooled-variance formula), so batching does not change
the result.

>>> norm = Normalization(axis=None)
>>> norm.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
>>> norm(np.array([1.0, 2.0, 3.0])).numpy()          # mean 3, variance 2
array([-1.4142135, -0.70710677, 0.], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...ops import cast
from ..layer import Layer
from .data_layer import adapt_batches


def _int_zeros(shape, dtype=None):
    return np.zeros(shape, dtype=dtype)


class Normalization(Layer):
    """Feature-wise standardization (see the module docstring)."""

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        self.axis = tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: mean and variance must be given together, "
                             f"received mean={mean!r}, variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization: mean and variance must have the same shape, "
                                 f"received {np.shape(mean)} and {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"Normalization: mean has rank {np.ndim(mean)}, more than the "
                                 f"number of kept axes {self.axis}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.adapt_mean = self.adapt_variance = self.count = None

    # --- shapes ---------------------------------------------------------------------------------
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Normalization {self.name!r}: axis {self.axis} is out of range "
                             f"for inputs of rank {ndim}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep:
            if input_shape[a] is None:
                raise ValueError(f"Normalization {self.name!r}: the kept axis {a} needs a "
                                 f"known size, received input shape {input_shape}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        self._stats_shape = tuple(input_shape[a] for a in self._keep)
        self._build_input_shape = input_shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", self._stats_shape, "zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight("variance", self._stats_shape, "ones",
                                                  trainable=False)
            # Keras keeps this always-zero count for old saved models; kept for the same
            # list of weights (and .keras files) as Keras
            self.count = self.add_weight("count", (), _int_zeros, trainable=False,
                                         dtype="int64")
        self.built = True

    def _stats(self):
        """Mean and variance shaped to broadcast against the inputs."""
        if self.input_mean is None:
            return (self.adapt_mean.data.reshape(self._broadcast),
                    self.adapt_variance.data.reshape(self._broadcast))
        out = []
        for value in (self.input_mean, self.input_variance):
            value = np.asarray(value, dtype=np.float64)
            shape = [1] * len(self._broadcast)  # the value's axes sit on the kept axes,
            for i in range(1, value.ndim + 1):  # aligned from the right
                shape[self._keep[-i]] = value.shape[-i]
            out.append(np.broadcast_to(value.reshape(shape), self._broadcast))
        return out

    @property
    def mean(self):
        """The mean, shaped to broadcast against the inputs (None before build)."""
        return Tensor(self._stats()[0].astype(self.dtype)) if self.built else None

    @property
    def variance(self):
        """The variance, shaped to broadcast against the inputs (None before build)."""
        return Tensor(self._stats()[1].astype(self.dtype)) if self.built else None

    # --- learning the statistics ------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the mean and variance of ``data`` (an array, a Dataset, or an iterable of
        batches; from ``(x, y)`` pairs only ``x`` is used)."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r}: mean and variance were given, "
                             "so there is nothing to adapt")
        is_array = isinstance(data, (np.ndarray, Tensor, list))
        mean = var = None
        total = 0
        for step, batch in enumerate(adapt_batches(data)):
            if steps is not None and step >= steps:
                break
            batch = np.asarray(batch, dtype=np.float64)
            if not is_array and batch.ndim == 1 and self._keep_last():
                batch = batch[None]  # one unbatched feature vector from a Dataset
            if not self.built:
                self.build(batch.shape)
            self._check_shape(batch.shape)
            count = int(np.prod([batch.shape[a] for a in self._reduce]))
            b_mean = batch.mean(axis=self._reduce)
            b_var = batch.var(axis=self._reduce)
            if mean is None:
                mean, var, total = b_mean, b_var, count
                continue
            # pooled variance: each part's variance plus its mean's squared offset from the
            # new mean, weighted by the part's share of the samples
            new_total = total + count
            w_old, w_new = total / new_total, count / new_total
            new_mean = w_old * mean + w_new * b_mean
            var = (w_old * (var + (mean - new_mean) ** 2)
                   + w_new * (b_var + (b_mean - new_mean) ** 2))
            mean, total = new_mean, new_total
        if mean is None:
            raise ValueError(f"Normalization {self.name!r}: adapt received no data")
        self.adapt_mean.data[...] = mean
        self.adapt_variance.data[...] = var

    def _keep_last(self) -> bool:
        return self.axis == (-1,) or (self.built and self._reduce == (0,))

    def _check_shape(self, shape) -> None:
        for a in self._keep:
            if a >= len(shape) or shape[a] != self._build_input_shape[a]:
                raise ValueError(f"Normalization {self.name!r}: built for inputs of shape "
                                 f"{self._build_input_shape}, received data of shape "
                                 f"{tuple(shape)}")

    # --- calling ------------------------------------------------------------------------------
    def call(self, inputs):
        if inputs.dtype.kind != "f":
            inputs = cast(inputs, self.dtype)
        mean, var = self._stats()
        scale = np.maximum(np.sqrt(var), backend.epsilon())
        mean, scale = Tensor(mean.astype(inputs.dtype)), Tensor(scale.astype(inputs.dtype))
        if self.invert:
            return inputs * scale + mean
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        def listed(v):
            return None if v is None else np.asarray(v).tolist()

        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": listed(self.input_mean), "variance": listed(self.input_variance)}


__all__ = ["Normalization"]

"""SpectralNormalization: keep a layer's kernel at spectral norm (largest singular value) 1.

The wrapped layer's kernel W, seen as a matrix (everything but the last axis, n columns),
has its largest singular value sigma estimated by power iteration from a stored unit
vector u (1, n):

    v = normalize(u W^T),   u = normalize(v W)        (``power_iterations`` times)
    sigma = v W u^T,        W <- W / sigma

As in Keras 3 (and tf.keras 2), this happens while *training*: each training call stores
the new u and the divided kernel in the variables, and the wrapped layer then runs with it,
so gradients reach the (normalized) kernel as the wrapped layer's own. Outside training
the wrapped layer runs on the kernel as stored. A kernel of all zeros is left alone.

Weights as Keras 3 files them: the wrapper's own ``vars`` are the wrapped kernel (Keras
tracks it on the wrapper too) and ``vector_u`` (1, n), not trainable, initialised from a
truncated normal of standard deviation 0.02; the wrapped layer's under ``layer``.

>>> sn = SpectralNormalization(Dense(3))
>>> sn(np.ones((2, 4)), training=True).shape
(2, 3)
"""

from __future__ import annotations

import numpy as np

from .. import backend, initializers
from ..autograd import Tensor, no_grad
from ..ops import divide, matmul, reshape
from .input_spec import InputSpec
from .layer import Layer
from .serialization import deserialize, serialize

__all__ = ["SpectralNormalization"]


def _l2_normalize(x):
    """``x`` (1, n) scaled to unit length, as Keras's ``normalize(x, axis=None)``: times
    min(1 / |x|, 1 / epsilon), so a zero vector stays zero."""
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(np.sum(np.square(x)))
    return x * x.dtype.type(min(inv, 1.0 / backend.epsilon()))


class SpectralNormalization(Layer):
    """Wrap a layer with a ``kernel`` (Dense, Conv2D, ...) or ``embeddings`` (Embedding) so
    that training divides it by its largest singular value (Miyato et al., 2018), which
    bounds the layer's Lipschitz constant (a GAN discriminator's usual guard).

    Args:
        layer: the layer to wrap.
        power_iterations: power-iteration steps per training call (a positive int).
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"SpectralNormalization: layer must be a Layer instance, "
                             f"received {layer!r}")
        if isinstance(power_iterations, bool) or not isinstance(
                power_iterations, (int, np.integer)) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization: power_iterations must be a positive "
                             f"integer, received {power_iterations!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.power_iterations = int(power_iterations)

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization {self.name!r}: the wrapped "
                             f"{type(self.layer).__name__} {self.layer.name!r} has neither a "
                             "'kernel' nor an 'embeddings' weight to normalize")
        self.kernel = kernel  # tracked here too, as Keras 3 does (its files hold it twice)
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(
            "vector_u", (1, self.kernel_shape[-1]),
            initializers.TruncatedNormal(stddev=0.02), trainable=False, dtype=kernel.dtype)
        self.built = True

    def power_iteration(self):
        """``(u, v)``: the new unit vectors from ``power_iterations`` steps started at the
        stored u, as NumPy arrays (1, n) and (1, m); nothing is stored."""
        w = self.kernel.data.reshape(-1, self.kernel_shape[-1])
        u = self.vector_u.data
        v = None
        for _ in range(self.power_iterations):
            v = _l2_normalize(u @ w.T)
            u = _l2_normalize(v @ w)
        return u, v

    def normalized_weights(self):
        """``(u, kernel / sigma)`` as Tensors, sigma = v W u^T from :meth:`power_iteration`.
        u and v are constants (Keras stops their gradients), so the kernel's gradient goes
        through W / (v W u^T) alone. Nothing is stored."""
        u, v = self.power_iteration()
        w = reshape(self.kernel, (-1, self.kernel_shape[-1]))
        sigma = matmul(matmul(Tensor(v), w), Tensor(np.ascontiguousarray(u.T)))
        return Tensor(u), reshape(divide(w, sigma), self.kernel_shape)

    def call(self, inputs, training=None):
        if training and np.any(self.kernel.data != 0):
            with no_grad():
                u, kernel = self.normalized_weights()
            self.vector_u.assign(u.data)
            self.kernel.assign(kernel.data)
        return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "layer": serialize(self.layer),
                "power_iterations": self.power_iterations}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects)
        return cls(**config)

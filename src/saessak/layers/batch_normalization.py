"""BatchNormalization: standardize each channel, then learn its scale and shift.

In training the layer normalizes with the batch's own mean and variance and folds them
into running averages; at inference it uses those averages, so one example's output never
depends on the rest of its batch:

    moving_mean     = momentum * moving_mean     + (1 - momentum) * batch_mean
    moving_variance = momentum * moving_variance + (1 - momentum) * batch_variance

(the biased batch variance, as Keras uses). Weights, in Keras's order: ``gamma``, ``beta``
(trainable), ``moving_mean``, ``moving_variance`` (not trainable): 4 x channels in all.

>>> bn = BatchNormalization()
>>> bn(np.random.rand(32, 10), training=True).shape
(32, 10)
"""

from __future__ import annotations

import numpy as np

from .. import constraints, initializers, regularizers
from ..autograd.tensor import no_grad
from ..ops.batch_normalization import batch_norm_train, batch_normalization
from ..ops.sync_batch_normalization import batch_norm_train_synchronized
from .layer import Layer


class BatchNormalization(Layer):
    """Normalize over every axis but ``axis`` (the channels; -1 for channels last).

    ``trainable=False`` (as in fine-tuning) also freezes the statistics: the layer then
    always runs in inference mode, as Keras does since TF 2.0. A sequence mask, if given,
    restricts the batch statistics to the unmasked steps.
    """

    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        kwargs.pop("fused", None)  # a tf.keras speed option with no meaning here
        if kwargs.pop("renorm", False):
            raise NotImplementedError("BatchNormalization: renorm=True is not implemented")
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis or not all(isinstance(a, int) for a in axis):
                raise ValueError(f"BatchNormalization: axis must be an int or a list of ints, "
                                 f"received {axis!r}")
            axis = list(axis)
        elif not isinstance(axis, int):
            raise ValueError(f"BatchNormalization: axis must be an int or a list of ints, "
                             f"received {axis!r}")
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be a number in [0, 1], "
                             f"received {momentum!r}")
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be a positive number, "
                             f"received {epsilon!r}")
        self.axis = axis
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.synchronized = bool(synchronized)  # global-batch statistics in distribute
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _axes(self, ndim):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -ndim <= a < ndim for a in axes):
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} is out of "
                             f"range for inputs of rank {ndim}")
        return sorted(a % ndim for a in axes)

    def build(self, input_shape):
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if any(n is None for n in shape):
            raise ValueError(f"BatchNormalization {self.name!r}: the normalized axis must "
                             f"have a known size, received input shape {input_shape}")
        shape = shape if len(shape) > 1 else shape[0]
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                         self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                        self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        axes = self._axes(inputs.ndim)
        if training and self.trainable:
            weights = None
            if mask is not None:  # (batch, steps) -> broadcastable to the inputs
                weights = np.asarray(getattr(mask, "data", mask))
                weights = weights.reshape(weights.shape + (1,) * (inputs.ndim - weights.ndim))
            train = batch_norm_train_synchronized if self.synchronized else batch_norm_train
            y, mean, var = train(inputs, self.gamma, self.beta, axes, self.epsilon, weights)
            with no_grad():
                m = self.momentum
                self.moving_mean.data[...] = (m * self.moving_mean.data
                                              + (1 - m) * mean.reshape(self.moving_mean.shape))
                self.moving_variance.data[...] = (
                    m * self.moving_variance.data
                    + (1 - m) * var.reshape(self.moving_variance.shape))
            return y
        return batch_normalization(inputs, self.moving_mean, self.moving_variance, self.beta,
                                   self.gamma, self.epsilon, axes)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized}


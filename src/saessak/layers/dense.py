"""Dense: the fully connected layer, ``activation(inputs @ kernel + bias)``."""

from __future__ import annotations

from .. import activations, constraints, initializers, regularizers
from ..ops import linear
from .layer import Layer


class Dense(Layer):
    """A fully connected layer applied to the last axis of its input.

    >>> layer = Dense(3, activation="relu")
    >>> layer(np.ones((2, 4))).shape     # kernel (4, 3), bias (3,)
    (2, 3)
    """

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, received {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Dense {self.name!r}: expected inputs of shape (batch, ..., "
                             f"features) with a known last axis, received {input_shape}")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer, self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                        self.bias_regularizer, constraint=self.bias_constraint)
        self.input_dim = input_shape[-1]
        self.built = True

    def call(self, inputs):
        if inputs.shape[-1] != self.input_dim:
            raise ValueError(f"Dense {self.name!r}: expected inputs with last axis "
                             f"{self.input_dim}, received shape {inputs.shape}")
        # the plain ReLU is fused into the product's node (one pass less each way)
        fuse_relu = self.activation is activations.relu
        y = linear(inputs, self.kernel, self.bias, relu=fuse_relu)
        return y if fuse_relu else self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}

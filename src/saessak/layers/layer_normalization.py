"""LayerNormalization, RMSNormalization, GroupNormalization and UnitNormalization: normalise
each sample over its feature axes.

Batch normalization averages over the batch; layer normalization averages over the
features of one sample, so it behaves the same in training and inference, for any batch
size, and at every step of a sequence. Transformers put one after every residual block
(seed 004, figure 16-16). The fused ops are in ``saessak.ops.layer_normalization``.
"""

from __future__ import annotations

from .. import constraints, initializers, ops, regularizers
from ..ops.layer_normalization import _norm_axes, layer_norm, rms_norm
from .layer import Layer


def _check_axis(layer, axis):
    axes = (axis,) if isinstance(axis, int) else tuple(axis) if isinstance(
        axis, (list, tuple)) else None
    if not axes or not all(isinstance(a, int) for a in axes):
        raise TypeError(f"{layer}: axis must be an int or a list of ints, received {axis!r}")
    return axes


def _gamma_beta_config(layer) -> dict:
    """The config entries of a normalization's scale (gamma) and offset (beta) weights."""
    return {f"{w}_{part}": module.serialize(getattr(layer, f"{w}_{part}"))
            for part, module in (("initializer", initializers), ("regularizer", regularizers),
                                 ("constraint", constraints)) for w in ("beta", "gamma")}


def _param_shape(layer, axes, input_shape):
    rank = len(input_shape)
    try:
        axes = _norm_axes(axes, rank)
    except ValueError:
        raise ValueError(f"{layer}: axis {list(axes)} is out of range for inputs of shape "
                         f"{tuple(input_shape)}") from None
    if 0 in axes and rank > 1:
        raise ValueError(f"{layer}: cannot normalise over the batch axis 0")
    shape = tuple(input_shape[a] for a in axes)
    if any(n is None for n in shape):
        raise ValueError(f"{layer}: the normalised axes {list(axes)} must have a known size; "
                         f"received input shape {tuple(input_shape)}")
    return axes, shape


class LayerNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta``, mean and variance taken over
    ``axis`` of each sample. ``gamma`` ("scale") starts at ones and ``beta`` ("center") at
    zeros, one per position of the normalised axes.

    >>> LayerNormalization()(np.array([[1.0, 2.0, 3.0]])).numpy().round(3)  # var 2/3
    array([[-1.224,  0.   ,  1.224]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis("LayerNormalization", axis)
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"LayerNormalization: epsilon must be a positive number, "
                             f"received {epsilon!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape):
        self._axes, shape = _param_shape(f"LayerNormalization {self.name!r}", self.axis,
                                         input_shape)
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                         self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                        self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        if self.rms_scaling:  # no centring: x / sqrt(mean(x^2) + eps) * gamma
            return rms_norm(inputs, self.gamma, self._axes, self.epsilon)
        return layer_norm(inputs, self.gamma, self.beta, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        axis = self.axis[0] if len(self.axis) == 1 else list(self.axis)
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                **_gamma_beta_config(self)}


class RMSNormalization(Layer):
    """``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``: layer normalization without
    the centring and the bias, as in many recent transformers. Weight: ``scale`` (ones)."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis("RMSNormalization", axis)
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"RMSNormalization: epsilon must be a positive number, "
                             f"received {epsilon!r}")
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        self._axes, shape = _param_shape(f"RMSNormalization {self.name!r}", self.axis,
                                         input_shape)
        self.scale = self.add_weight("scale", shape, "ones")
        self.built = True

    def call(self, inputs):
        return rms_norm(inputs, self.scale, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        axis = self.axis[0] if len(self.axis) == 1 else list(self.axis)
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon}


class GroupNormalization(Layer):
    """Layer normalization within groups of channels: the ``axis`` channels (C of them) are
    split into ``groups`` groups of C/groups, and each sample's group is normalised over its
    channels and every other non-batch axis, then ``* gamma + beta`` per channel. One group
    is LayerNormalization over all features; ``groups=-1`` (one per channel) is instance
    normalization. Unlike BatchNormalization it does not depend on the batch.
    """

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: groups must be a positive int (or -1 for "
                             f"instance normalization), received {groups!r}")
        if not isinstance(axis, int):
            raise TypeError(f"GroupNormalization: axis must be an int, received {axis!r}")
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape):
        where = f"GroupNormalization {self.name!r}"
        (self._channel_axis,), (channels,) = _param_shape(where, (self.axis,), input_shape)
        groups = channels if self.groups == -1 else self.groups
        if channels % groups:
            raise ValueError(f"{where}: {channels} channels (axis {self.axis}) cannot be split "
                             f"into {groups} groups of equal size")
        self._groups = groups
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight("gamma", (channels,), self.gamma_initializer,
                                         self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", (channels,), self.beta_initializer,
                                        self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        shape, axis, groups = tuple(inputs.shape), self._channel_axis, self._groups
        # (batch, ..., C, ...) -> (batch, ..., groups, C/groups, ...): normalise all but the
        # batch and the group axes
        grouped = ops.reshape(inputs, shape[:axis] + (groups, shape[axis] // groups)
                              + shape[axis + 1:])
        over = tuple(a for a in range(1, grouped.ndim) if a != axis)
        y = ops.reshape(layer_norm(grouped, None, None, over, self.epsilon), shape)
        channel_shape = [1] * len(shape)
        channel_shape[axis] = shape[axis]
        if self.gamma is not None:
            y = y * ops.reshape(self.gamma, channel_shape)
        if self.beta is not None:
            y = y + ops.reshape(self.beta, channel_shape)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **_gamma_beta_config(self)}


class UnitNormalization(Layer):
    """Each sample scaled to unit L2 norm over ``axis``: ``x / max(||x||, 1e-12)``."""

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis("UnitNormalization", axis)

    def call(self, inputs):
        axis = self.axis[0] if len(self.axis) == 1 else self.axis
        return ops.normalize(inputs, axis=axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "axis": self.axis[0] if len(self.axis) == 1 else list(self.axis)}

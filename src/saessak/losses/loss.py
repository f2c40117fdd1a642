"""The ``Loss`` base class, and the reduction of per-sample losses to one number.

A ``Loss`` object is called as ``loss(y_true, y_pred, sample_weight=None)``: its ``call``
gives one loss per sample, and :func:`reduce_values` weights and reduces them, by default
with Keras's ``"sum_over_batch_size"``: sum(loss * weight) / number of loss values.
"""

from __future__ import annotations

import numpy as np

from .. import backend, ops
from ..autograd.tensor import Tensor
from ..layers.layer import snake_case

# --- reduction ---------------------------------------------------------------------------


class Reduction:
    """The names of the reductions (tf.keras's ``losses.Reduction``)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    MEAN = "mean"
    MEAN_WITH_SAMPLE_WEIGHT = "mean_with_sample_weight"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE, cls.MEAN,
                cls.MEAN_WITH_SAMPLE_WEIGHT)


def _check_reduction(reduction):
    if reduction is None:
        return "none"
    if reduction not in Reduction.all():
        raise ValueError(f"losses: reduction must be one of {Reduction.all()} or None, "
                         f"received {reduction!r}")
    return "sum_over_batch_size" if reduction == "auto" else reduction


def _match_weights(w, shape):
    """Sample weights (n,) or (n, 1) lined up with per-sample losses of ``shape``."""
    if w.ndim == len(shape) + 1 and w.shape[-1] == 1:
        w = w[..., 0]
    while w.ndim < len(shape):  # weights per sample apply to every time step
        w = w[..., None]
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(f"losses: sample_weight of shape {w.shape} does not match losses of "
                         f"shape {shape}") from None
    return w


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    """Reduce per-sample losses to what ``reduction`` asks for.

    ``sum_over_batch_size`` (Keras's default, alias ``mean``) is sum(loss * weight) divided
    by the number of loss values (only the unmasked ones, when ``mask`` is given);
    ``mean_with_sample_weight`` divides by the sum of the weights; ``sum`` does not divide;
    ``none`` returns the weighted values.
    """
    reduction = _check_reduction(reduction)
    values = values if isinstance(values, Tensor) else Tensor(values)
    xp = backend.get_array_module(values.data)  # weights go to the device of the losses
    w = None
    if sample_weight is not None:
        w = backend.to_numpy(getattr(sample_weight, "data", sample_weight))
        w = xp.asarray(_match_weights(np.asarray(w, dtype=values.dtype), values.shape))
    if mask is not None:
        mask = xp.asarray(backend.to_numpy(mask), dtype=values.dtype)
        w = mask if w is None else w * mask
    if w is not None:
        values = values * w
    if reduction == "none":
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and w is not None:
        divisor = float(xp.broadcast_to(w, values.shape).sum())
    elif mask is not None:
        divisor = float(xp.broadcast_to(mask, values.shape).sum())
    else:
        divisor = float(values.size)
    return total / divisor if divisor else total * 0.0


# --- the base class ---------------------------------------------------------------------


class Loss:
    """Base class of the Keras loss objects.

    Subclasses write ``call(y_true, y_pred)`` returning per-sample losses; calling the
    object adds sample weights and the reduction.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = _check_reduction(reduction)
        self.dtype = dtype

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        return reduce_values(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"

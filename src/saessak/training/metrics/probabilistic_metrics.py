"""The cross-entropies as metrics: the running mean of a loss from ``saessak.losses``,
computed without gradients."""

from __future__ import annotations

import numpy as np

from ... import losses
from ...autograd import no_grad
from .metric import _array, _weights_like
from .reduction_metrics import MeanMetricWrapper


class _LossMetric(MeanMetricWrapper):
    """The mean of a loss function from ``saessak.losses``, computed without gradients."""

    _direction = "down"

    def __init__(self, loss_name, name, dtype=None, **kwargs):
        fn = getattr(losses, loss_name)

        def values(y_true, y_pred, **kw):
            with no_grad():
                return _array(fn(y_true, y_pred.astype(self.dtype, copy=False), **kw))

        values.__name__ = loss_name
        super().__init__(values, name, dtype, **kwargs)


class BinaryCrossentropy(_LossMetric):
    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0):
        super().__init__("binary_crossentropy", name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LossMetric):
    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0, axis=-1):
        super().__init__("categorical_crossentropy", name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_LossMetric):
    """The mean cross-entropy for integer labels. Entries labelled ``ignore_class`` leave
    the mean, as they leave the loss's (Keras 3.15 leaves them out only when sample
    weights are given, and otherwise averages in their zeros)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__("sparse_categorical_crossentropy", name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.ignore_class = ignore_class

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is not None:
            keep = (_array(y_true) != self.ignore_class).astype(np.float64)
            sample_weight = keep if sample_weight is None else \
                _weights_like(sample_weight, keep) * keep
        super().update_state(y_true, y_pred, sample_weight)

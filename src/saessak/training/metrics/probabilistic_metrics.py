"""The cross-entropies as metrics: the running mean of a loss from ``saessak.losses``,
computed without gradients."""

from __future__ import annotations

from ... import losses
from ...autograd import no_grad
from .metric import _array
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
                 label_smoothing=0.0):
        super().__init__("categorical_crossentropy", name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(_LossMetric):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        super().__init__("sparse_categorical_crossentropy", name, dtype,
                         from_logits=from_logits)

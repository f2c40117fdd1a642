"""Metrics: numbers that watch training without being optimised (``saessak.metrics``).

A metric is stateful. ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
``result()`` reads the value over every batch so far, ``reset_state()`` starts again (``fit``
resets at the start of each epoch). Metrics work on NumPy arrays, outside the autodiff graph.

>>> m = BinaryAccuracy()
>>> m.update_state([[1], [0]], [[0.9], [0.8]])
>>> m.result()
0.5

The modules, as in Keras: :mod:`.metric` (the base class), :mod:`.reduction_metrics`
(``Mean``, ``Sum``, ``MeanMetricWrapper``), :mod:`.accuracy_metrics`,
:mod:`.regression_metrics`, :mod:`.probabilistic_metrics` (the cross-entropies) and
:mod:`.confusion_metrics` (``Precision``, ``Recall``, ``AUC``); ``get``/``serialize``/
``deserialize`` are here.
"""

from __future__ import annotations

import inspect

from ..._registry import Registry
from .accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .confusion_metrics import AUC, Precision, Recall
from .metric import Metric
from .probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from .reduction_metrics import Mean, MeanMetricWrapper, Sum
from .regression_metrics import (
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    RootMeanSquaredError,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
)

# --- lookup --------------------------------------------------------------------------------------

_CLASSES = {c.__name__: c for c in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError, Precision, Recall,
    AUC, Mean, Sum, MeanMetricWrapper, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy)}
# the snake_case names compile(metrics=[...]) takes; the metric is named as it was asked for
_NAMES = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError, "root_mean_squared_error": RootMeanSquaredError,
    "auc": AUC, "precision": Precision, "recall": Recall,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
# a per-sample function given to compile becomes its class
_CLASS_OF_FUNCTION = {
    binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy,
    top_k_categorical_accuracy: TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
}


def _named(cls, name):
    """A class asked for by its own name gets its default name; by a snake_case name
    (``'mae'``, ``'auc'``) the metric takes that name, so the logs show what was asked."""
    if cls is MeanMetricWrapper:
        raise ValueError("metrics.get: 'MeanMetricWrapper' needs a function; build it as "
                         "MeanMetricWrapper(fn, ...)")
    return cls() if name == cls.__name__ else cls(name=name)


_METRICS = Registry("metric", Metric, {**_CLASSES, **_NAMES}, make=_named)


def _as_metric(obj):
    """A function ``fn(y_true, y_pred)`` becomes a metric: its class if saessak has one,
    else the running mean of its values."""
    if isinstance(obj, Metric) or not callable(obj) or inspect.isclass(obj):
        return obj
    cls = _CLASS_OF_FUNCTION.get(obj)
    return cls() if cls else MeanMetricWrapper(obj)


def get(identifier):
    """A new Metric for a name (``'mae'``, ``'AUC'``, ``'binary_accuracy'``), a config dict,
    a class, a function ``fn(y_true, y_pred)`` or a Metric (returned as is). A name is
    looked up in the active ``custom_object_scope`` and the registered objects first; the
    metric is named by the name given.

    ``'accuracy'`` and ``'acc'`` depend on the loss and the shapes; ``compile`` resolves them.
    """
    return _as_metric(_METRICS.get(_as_metric(identifier)))


def serialize(metric):
    """``{'class_name', 'config'}`` for a Metric (plus ``'registered_name'`` for a class
    registered with ``register_keras_serializable``)."""
    return _METRICS.serialize(metric)


def deserialize(config, custom_objects=None):
    """The Metric that :func:`serialize` described; ``custom_objects``, the active
    ``custom_object_scope`` and the registered objects come before saessak's own."""
    return _as_metric(_METRICS.deserialize(config, custom_objects))

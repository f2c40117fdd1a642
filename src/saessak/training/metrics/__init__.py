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

_FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
}
_CLASSES = {c.__name__: c for c in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError, Precision, Recall,
    AUC, Mean, Sum, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy)}
_CLASS_OF_FUNCTION = {
    binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy,
    top_k_categorical_accuracy: TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
}
_LOWER_CASE_CLASSES = {"auc": AUC, "precision": Precision, "recall": Recall,
                       "binary_crossentropy": BinaryCrossentropy,
                       "categorical_crossentropy": CategoricalCrossentropy,
                       "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
                       "root_mean_squared_error": RootMeanSquaredError}


def get(identifier):
    """A new Metric for a name (``'mae'``, ``'AUC'``, ``'binary_accuracy'``), a class, a
    function ``fn(y_true, y_pred)`` or a Metric (returned as is). Its name is the name given.

    ``'accuracy'`` and ``'acc'`` depend on the loss and the shapes; ``compile`` resolves them.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            fn = _FUNCTIONS[identifier]
            metric = _CLASS_OF_FUNCTION[fn]()
            metric.name = identifier
            return metric
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier in _LOWER_CASE_CLASSES:
            return _LOWER_CASE_CLASSES[identifier](name=identifier)
        known = sorted(set(_FUNCTIONS) | set(_CLASSES) | set(_LOWER_CASE_CLASSES)
                       | {"accuracy", "acc"})
        raise ValueError(f"metrics.get: unknown metric {identifier!r}; known names: {known}")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        cls = _CLASS_OF_FUNCTION.get(identifier)
        return cls() if cls else MeanMetricWrapper(identifier)
    raise ValueError(f"metrics.get: expected a name, a Metric or a function, received "
                     f"{identifier!r}")


def serialize(metric):
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config, custom_objects=None):
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"metrics.deserialize: unknown metric class {name!r}")
    return cls.from_config(config.get("config") or {})

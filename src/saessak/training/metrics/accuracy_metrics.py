"""How often the predictions are right: exact, binary, categorical and top-k accuracy, as
per-sample functions (NumPy in and out) and as metrics."""

from __future__ import annotations

import numpy as np

from .metric import _array
from .reduction_metrics import MeanMetricWrapper


def _squeeze_labels(y_true, y_pred):
    """Integer labels ``(n, 1)`` against scores ``(n, classes)`` become ``(n,)``."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def accuracy(y_true, y_pred):
    """1 where prediction and label are equal, else 0 (the ``Accuracy`` class)."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (y_true == y_pred).astype(np.float64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of ``(y_pred > threshold) == y_true``."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    hits = (y_pred > threshold) == (y_true > 0.5)
    return hits.mean(axis=-1) if hits.ndim else hits.astype(np.float64)


def categorical_accuracy(y_true, y_pred):
    """1 where the largest score sits at the one-hot label."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the largest score sits at the integer label."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    y_true = _squeeze_labels(y_true, y_pred)
    return (y_true.astype(np.int64) == y_pred.argmax(axis=-1)).astype(np.float64)


def _in_top_k(scores, labels, k):
    """True where the label's score is among the ``k`` largest. As in TensorFlow, classes
    tied at the boundary all count as inside: the label is in when fewer than ``k`` scores
    are strictly larger."""
    labels = labels.astype(np.int64)
    target = np.take_along_axis(scores, labels[..., None], axis=-1)
    return ((scores > target).sum(axis=-1) < k).astype(np.float64)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _array(y_true), _array(y_pred)
    return _in_top_k(y_pred, y_true.argmax(axis=-1), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _array(y_true), _array(y_pred)
    return _in_top_k(y_pred, _squeeze_labels(y_true, y_pred), k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches a 0/1 label."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the top score is the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the top score is the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the ``k`` top scores."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` top scores."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k)

"""How far the predictions are from real-valued targets: mean squared, absolute and
percentage errors, and the root mean squared error."""

from __future__ import annotations

import numpy as np

from .metric import _same_rank
from .reduction_metrics import Mean, MeanMetricWrapper


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return np.abs(y_pred - y_true).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return 100.0 * (np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7)).mean(axis=-1)


class MeanSquaredError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the mean squared error over everything seen so far."""

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(y_true, y_pred)
        super().update_state((y_pred - y_true) ** 2, sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))

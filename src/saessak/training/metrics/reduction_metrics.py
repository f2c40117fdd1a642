"""Metrics that reduce values: the running (weighted) ``Mean`` and ``Sum``, and
``MeanMetricWrapper``, the running mean of any per-sample function."""

from __future__ import annotations

import numpy as np

from ..._registry import get_registered_name, get_registered_object
from .metric import Metric, _array, _weights_like


class Mean(Metric):
    """The (weighted) mean of every value it was given: ``Mean()([1, 2, 3])`` is 2."""

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        if isinstance(values, float) and (sample_weight is None
                                          or isinstance(sample_weight, (int, float))):
            # one number (the loop's running loss), weighted by the batch size
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total += values * w
            self.count += w
            return
        values = _array(values)
        if sample_weight is None:
            self.total += float(values.sum(dtype=np.float64))
            self.count += float(values.size)
            return
        values = values.astype(np.float64, copy=False)
        w = _weights_like(sample_weight, values)
        self.total += float((values * w).sum())
        self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The (weighted) sum of every value it was given."""

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = _array(values, np.float64)
        w = _weights_like(sample_weight, values)
        self.total += float(values.sum() if w is None else (values * w).sum())

    def result(self):
        return self.total


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred)``, a value per sample (NumPy in and out)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(_array(y_true), _array(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:  # a subclass fixes its function itself
            config["fn"] = get_registered_name(self._fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:  # the function by the name it was saved under
            name = config.get("fn")
            fn = get_registered_object(name) if isinstance(name, str) else None
            if fn is None:
                raise ValueError(
                    f"MeanMetricWrapper.from_config: unknown function {name!r}; pass it as "
                    f"custom_objects={{{name!r}: fn}} or register it with "
                    "@saessak.saving.register_keras_serializable()")
            config["fn"] = fn
        return cls(**config)

"""Metrics: numbers that watch training without being optimised (``saessak.metrics``).

A metric is stateful. ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
``result()`` reads the value over every batch so far, ``reset_state()`` starts again (``fit``
resets at the start of each epoch). Metrics work on NumPy arrays, outside the autodiff graph.

>>> m = BinaryAccuracy()
>>> m.update_state([[1], [0]], [[0.9], [0.8]])
>>> m.result()
0.5
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..layers.layer import snake_case


def _array(x, dtype=None):
    """NumPy values of a Tensor, a backend array or anything array-like."""
    a = backend.to_numpy(getattr(x, "data", x))
    return a if dtype is None else a.astype(dtype, copy=False)


def _weights_like(sample_weight, values):
    """Sample weights broadcast to ``values``: one weight per sample applies to every value
    of that sample."""
    if sample_weight is None:
        return None
    w = _array(sample_weight, np.float64)
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        w = w[..., 0]
    while w.ndim < values.ndim:
        w = w[..., None]
    return np.broadcast_to(w, values.shape)


class Metric:
    """Base class: subclasses write ``update_state``, ``result`` and ``reset_state``.

    ``_direction`` says whether bigger is better (``'up'``) or worse (``'down'``); callbacks
    with ``mode='auto'`` read it.
    """

    _direction = "up"

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):  # pragma: no cover
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def reset_state(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def reset_states(self) -> None:
        """tf.keras 2's name of :meth:`reset_state` (the subclass's own)."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


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
        return {**super().get_config(), **self._fn_kwargs}


# --- per-sample metric functions (NumPy) ----------------------------------------------------


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


def _same_rank(y_true, y_pred):
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.dtype.kind != "f" or y_pred.dtype.kind != "f":
        y_true, y_pred = y_true.astype(np.float64), y_pred.astype(np.float64)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]  # a column of targets against one value per sample
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return np.abs(y_pred - y_true).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return 100.0 * (np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7)).mean(axis=-1)


# --- metric classes ----------------------------------------------------------------------------


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


class _LossMetric(MeanMetricWrapper):
    """The mean of a loss function from ``saessak.losses``, computed without gradients."""

    _direction = "down"

    def __init__(self, loss_name, name, dtype=None, **kwargs):
        from .. import losses
        from ..autograd import no_grad

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


# --- confusion-matrix metrics --------------------------------------------------------------------


def _flat_pairs(y_true, y_pred, sample_weight, class_id=None, top_k=None):
    """Labels, scores and weights as flat vectors, after ``top_k``/``class_id`` selection."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    if top_k is not None:  # only each sample's k best scores keep their value
        kth = np.sort(y_pred, axis=-1)[..., -top_k][..., None]
        y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    w = _weights_like(sample_weight, y_pred)
    w = np.ones(y_pred.shape) if w is None else w
    return y_true.ravel(), y_pred.ravel(), w.ravel()


class _Thresholded(Metric):
    """Counts of true/false positives/negatives at one or more thresholds."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        default = 0.5 if top_k is None else -np.inf  # top_k alone: "is it in the top k"
        ths = np.atleast_1d(np.asarray(default if thresholds is None else thresholds, float))
        self.thresholds = ths
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p, w = _flat_pairs(y_true, y_pred, sample_weight, self.class_id, self.top_k)
        positive = t > 0.5
        above = p[None, :] > self.thresholds[:, None]  # (thresholds, values)
        self.tp += (above & positive) @ w
        self.fp += (above & ~positive) @ w
        self.fn += (~above & positive) @ w
        self.tn += (~above & ~positive) @ w

    @staticmethod
    def _ratio(a, b):
        out = np.divide(a, b, out=np.zeros_like(a), where=b > 0)
        return float(out[0]) if out.size == 1 else out.tolist()

    def get_config(self):
        ths = self.init_thresholds
        return {**super().get_config(),
                "thresholds": ths if ths is None or np.isscalar(ths) else list(ths),
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_Thresholded):
    """``tp / (tp + fp)``: of the predicted positives, the share that are positive."""

    def result(self):
        return self._ratio(self.tp, self.tp + self.fp)


class Recall(_Thresholded):
    """``tp / (tp + fn)``: of the real positives, the share that was found."""

    def result(self):
        return self._ratio(self.tp, self.tp + self.fn)


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at fixed thresholds.

    As in Keras: ``num_thresholds`` evenly spaced thresholds from 0 to 1, the outer two
    nudged to ``-epsilon`` and ``1 + epsilon`` so that scores of exactly 0 and 1 fall inside;
    the area is summed by the trapezoid rule (``summation_method='interpolation'``) or by
    rectangles (``'minoring'``, ``'majoring'``).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False,
                 from_logits=False):
        if num_thresholds <= 1 and thresholds is None:
            raise ValueError(f"AUC: num_thresholds must be > 1, received {num_thresholds}")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', received {summation_method!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.num_thresholds = num_thresholds
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label, self.from_logits = multi_label, from_logits
        super().__init__(name=name or "auc", dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p, w = _flat_pairs(y_true, y_pred, sample_weight)
        if self.from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        positive = t > 0.5
        # counts per threshold from one sort: the values above threshold j are a suffix
        order = np.argsort(p, kind="stable")
        p, pos_w, neg_w = p[order], (w * positive)[order], (w * ~positive)[order]
        # weight of positives/negatives with score <= each threshold
        cut = np.searchsorted(p, self.thresholds, side="right")
        pos_below = np.concatenate([[0.0], np.cumsum(pos_w)])[cut]
        neg_below = np.concatenate([[0.0], np.cumsum(neg_w)])[cut]
        self.tp += pos_w.sum() - pos_below
        self.fn += pos_below
        self.fp += neg_w.sum() - neg_below
        self.tn += neg_below

    def result(self):
        def ratio(a, b):
            return np.divide(a, b, out=np.zeros_like(a), where=b > 0)

        tpr = ratio(self.tp, self.tp + self.fn)  # recall
        if self.curve == "ROC":
            x, y = ratio(self.fp, self.fp + self.tn), tpr
        else:
            x, y = tpr, ratio(self.tp, self.tp + self.fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "multi_label": self.multi_label, "from_logits": self.from_logits}


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

"""The Keras losses: functions giving one loss per sample, and the classes around them.

- functions ``fn(y_true, y_pred)`` give one loss per sample (the mean, or for the
  cross-entropies the sum, over the last axis): ``mse(t, p).shape == p.shape[:-1]``;
- classes such as ``MeanSquaredError()`` wrap a function and its arguments; called as
  ``loss(y_true, y_pred, sample_weight=None)`` they reduce to a scalar Tensor
  (:mod:`saessak.losses.loss`).

The errors and cross-entropies are single fused nodes whose backward is written out in
:mod:`saessak.ops.losses`; the rest are composed from ops. ``y_true`` may be a NumPy array
(integer class labels for the sparse loss) or a Tensor.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import backend, ops
from .._registry import Registry
from ..autograd.tensor import Tensor
from ..ops.losses import (
    BinaryCrossentropyFn,
    BinaryCrossentropyWithLogitsFn,
    CategoricalCrossentropyFn,
    CategoricalCrossentropyWithLogitsFn,
    MeanAbsoluteErrorFn,
    MeanSquaredErrorFn,
    SparseCategoricalCrossentropyFn,
    SparseCategoricalCrossentropyWithLogitsFn,
)
from .loss import Loss, reduce_values

# --- getting y_true and y_pred into shape --------------------------------------------------


def _pred(y_pred) -> Tensor:
    if isinstance(y_pred, Tensor):
        return y_pred
    arr = np.asarray(y_pred)
    return Tensor(arr if arr.dtype.kind == "f" else arr.astype(backend.floatx()))


def _true(y_true, dtype) -> Tensor:
    """y_true as a Tensor of the prediction's float dtype (keeping its graph, if any)."""
    if isinstance(y_true, Tensor):
        if y_true.dtype == dtype:
            return y_true
        return ops.cast(y_true, dtype) if y_true.requires_grad else Tensor(
            y_true.data.astype(dtype))
    return Tensor(np.asarray(y_true).astype(dtype, copy=False))


def _same_rank(t: Tensor, p: Tensor):
    """Keras's fix for targets one axis longer or shorter than the predictions: labels (n,)
    against outputs (n, 1) become (n, 1), so the two do not broadcast to (n, n). A trailing
    axis of size 1 is dropped from the longer one, or a rank-1 one gains it."""
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        if p.ndim == 1:
            p = ops.expand_dims(p, -1)
        else:
            t = ops.reshape(t, t.shape[:-1])
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        if t.ndim == 1:
            t = ops.expand_dims(t, -1)
        else:
            p = ops.reshape(p, p.shape[:-1])
    return t, p


def _prepare(y_true, y_pred):
    p = _pred(y_pred)
    return (*_same_rank(_true(y_true, p.dtype), p),)


def _labels(y_true, p: Tensor) -> np.ndarray:
    labels = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.ndim == p.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]  # (n, 1) -> (n,)
    if labels.shape != p.shape[:-1]:
        raise ValueError(f"sparse_categorical_crossentropy: expected integer labels of shape "
                         f"{p.shape[:-1]} (or {p.shape[:-1] + (1,)}) for predictions of shape "
                         f"{p.shape}; received labels of shape {labels.shape}")
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind not in "fb":
            raise ValueError(f"sparse_categorical_crossentropy: expected integer labels, "
                             f"received dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    return labels


# --- loss functions: one value per sample ---------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2, axis=-1)."""
    t, p = _prepare(y_true, y_pred)
    return MeanSquaredErrorFn()(t, p)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|, axis=-1)."""
    t, p = _prepare(y_true, y_pred)
    return MeanAbsoluteErrorFn()(t, p)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)."""
    t, p = _prepare(y_true, y_pred)
    diff = ops.abs((t - p) / ops.maximum(ops.abs(t), backend.epsilon()))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(1 + max(p, eps)) - log(1 + max(t, eps)))^2, axis=-1)."""
    t, p = _prepare(y_true, y_pred)
    eps = backend.epsilon()
    d = ops.log1p(ops.maximum(p, eps)) - ops.log1p(ops.maximum(t, eps))
    return ops.mean(d * d, axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Squared error near zero, absolute error far away: mean over the last axis of
    0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta)."""
    t, p = _prepare(y_true, y_pred)
    abs_err = ops.abs(p - t)
    quadratic = ops.minimum(abs_err, float(delta))  # |e| capped at delta
    linear = abs_err - quadratic  # the part of |e| beyond delta
    return ops.mean(0.5 * quadratic * quadratic + float(delta) * linear, axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(p - t)), axis=-1), as x + softplus(-2x) - log 2 (cosh overflows)."""
    t, p = _prepare(y_true, y_pred)
    x = p - t
    return ops.mean(x + ops.softplus(-2.0 * x) - float(np.log(2.0)), axis=-1)


def poisson(y_true, y_pred):
    """mean(p - t log(p + eps), axis=-1)."""
    t, p = _prepare(y_true, y_pred)
    return ops.mean(p - t * ops.log(p + backend.epsilon()), axis=-1)


def kl_divergence(y_true, y_pred):
    """sum(t log(t / p), axis=-1), both clipped to [eps, 1]."""
    t, p = _prepare(y_true, y_pred)
    eps = backend.epsilon()
    t, p = ops.clip(t, eps, 1.0), ops.clip(p, eps, 1.0)
    return ops.sum(t * ops.log(t / p), axis=-1)


def _hinge_labels(t: Tensor) -> Tensor:
    """Labels given as 0/1 are turned into -1/+1, as Keras does for the hinge losses."""
    data = t.data
    if np.all((data == 0) | (data == 1)):
        return 2.0 * t - 1.0
    return t


def hinge(y_true, y_pred):
    """mean(max(1 - t p, 0), axis=-1), labels -1/+1 (0/1 converted)."""
    t, p = _prepare(y_true, y_pred)
    return ops.mean(ops.relu(1.0 - _hinge_labels(t) * p), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - t p, 0)^2, axis=-1), labels -1/+1 (0/1 converted)."""
    t, p = _prepare(y_true, y_pred)
    h = ops.relu(1.0 - _hinge_labels(t) * p)
    return ops.mean(h * h, axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, 1 + max over wrong classes of p - p of the right class), one-hot targets."""
    t, p = _prepare(y_true, y_pred)
    pos = ops.sum(t * p, axis=-1)
    neg = ops.max((1.0 - t) * p, axis=-1)
    return ops.relu(neg - pos + 1.0)


def _l2_normalize(x, axis):
    return x / ops.sqrt(ops.maximum(ops.sum(x * x, axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(unit(t) * unit(p), axis): -1 when they point the same way, so it is minimised."""
    t, p = _prepare(y_true, y_pred)
    return -ops.sum(_l2_normalize(t, axis) * _l2_normalize(p, axis), axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over ``axis`` of -[t log p + (1 - t) log(1 - p)].

    ``label_smoothing`` s moves targets toward 1/2: t -> t (1 - s) + s / 2.
    """
    t, p = _prepare(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    fn = BinaryCrossentropyWithLogitsFn if from_logits else BinaryCrossentropyFn
    return fn(axis)(t, p)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(t log p) over ``axis`` for one-hot (or soft) targets t.

    ``label_smoothing`` s spreads part of each target evenly: t -> t (1 - s) + s / classes.
    """
    t, p = _prepare(y_true, y_pred)
    if t.shape[axis] != p.shape[axis] and t.shape[axis] != 1:
        raise ValueError(f"categorical_crossentropy: y_true and y_pred need the same number "
                         f"of classes on axis {axis}; received shapes {t.shape} and "
                         f"{p.shape} (integer labels need sparse_categorical_crossentropy)")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / p.shape[axis]
    fn = CategoricalCrossentropyWithLogitsFn if from_logits else CategoricalCrossentropyFn
    return fn(axis)(t, p)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """-log p[label] for integer labels: the categorical cross-entropy without one-hot.

    Labels may have shape ``p.shape[:-1]`` or that plus a trailing 1, so ``(n,)``/``(n, 1)``
    for outputs ``(n, classes)`` and ``(n, t)`` for sequence outputs ``(n, t, classes)``.
    Where the label equals ``ignore_class`` the loss is 0 (and the class's reduction leaves
    those entries out of the mean).
    """
    p = _pred(y_pred)
    if axis not in (-1, p.ndim - 1):
        raise ValueError(f"sparse_categorical_crossentropy: only axis=-1 (classes last) is "
                         f"supported, received axis={axis!r}")
    labels = backend.get_array_module(p.data).asarray(_labels(y_true, p))  # p's device
    fn = (SparseCategoricalCrossentropyWithLogitsFn if from_logits
          else SparseCategoricalCrossentropyFn)
    return fn(ignore_class)(p, labels)


# tf.keras's short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber
cosine_proximity = cosine_similarity


# --- loss classes -------------------------------------------------------------------------


class LossFunctionWrapper(Loss):
    """A Loss object around a loss function and its keyword arguments."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize(self.fn)
        config.update(self.fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper:
            config["fn"] = get(config["fn"])
        return cls(**config)


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class Huber(LossFunctionWrapper):
    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        if not delta > 0:
            raise ValueError(f"Huber: delta must be positive, received {delta!r}")
        super().__init__(huber, reduction, name, dtype, delta=float(delta))


class LogCosh(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class CosineSimilarity(LossFunctionWrapper):
    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


def _check_smoothing(cls_name, value):
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{cls_name}: label_smoothing must be in [0, 1], received {value!r}")
    return float(value)


class BinaryCrossentropy(LossFunctionWrapper):
    """For two classes (or many independent yes/no labels): sigmoid outputs, 0/1 targets."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype,
                         from_logits=bool(from_logits),
                         label_smoothing=_check_smoothing("BinaryCrossentropy", label_smoothing),
                         axis=axis)
        self.from_logits = bool(from_logits)


class CategoricalCrossentropy(LossFunctionWrapper):
    """For one of many classes: softmax outputs, one-hot targets."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype,
                         from_logits=bool(from_logits),
                         label_smoothing=_check_smoothing("CategoricalCrossentropy",
                                                          label_smoothing),
                         axis=axis)
        self.from_logits = bool(from_logits)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """For one of many classes with integer labels (no one-hot needed).

    Entries labelled ``ignore_class`` (e.g. padding) count neither in the loss nor in the
    number it is averaged over.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=bool(from_logits), ignore_class=ignore_class)
        self.from_logits, self.ignore_class = bool(from_logits), ignore_class

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        mask = None
        if self.ignore_class is not None:
            mask = _labels(y_true, _pred(y_pred)) != self.ignore_class
        return reduce_values(values, sample_weight, self.reduction, mask=mask)


# --- lookup by name -------------------------------------------------------------------------

# every name of each function, the one it serializes to first
_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mse, "MSE": MSE,
    "mean_absolute_error": mean_absolute_error, "mae": mae, "MAE": MAE,
    "mean_absolute_percentage_error": mean_absolute_percentage_error, "mape": mape,
    "MAPE": MAPE,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": msle,
    "MSLE": MSLE,
    "huber": huber, "huber_loss": huber, "log_cosh": log_cosh, "logcosh": log_cosh,
    "poisson": poisson, "kl_divergence": kl_divergence, "kld": kld, "KLD": KLD,
    "kullback_leibler_divergence": kl_divergence, "hinge": hinge,
    "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "cosine_similarity": cosine_similarity,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, Poisson, KLDivergence, Hinge, SquaredHinge,
    CategoricalHinge, CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, LossFunctionWrapper)}


def _function_or_object(obj, name):
    """What a built-in name gives: a function is itself (``'mse'``); a class gives a new
    object with its default arguments (``'BinaryCrossentropy'``)."""
    if obj is LossFunctionWrapper:
        raise ValueError("losses.get: 'LossFunctionWrapper' needs a loss function; build it "
                         "as LossFunctionWrapper(fn, ...)")
    return obj() if inspect.isclass(obj) else obj


_LOSSES = Registry("loss", Loss, {**_FUNCTIONS, **_CLASSES}, make=_function_or_object,
                   module="losses")


def serialize(loss):
    """A function's name (``'mean_squared_error'``, or the name it was registered under) or
    ``{'class_name', 'config'}`` for a Loss object."""
    return _LOSSES.serialize(loss)


def deserialize(config, custom_objects=None):
    """The loss that :func:`serialize` described. Names are looked up in ``custom_objects``,
    the active ``custom_object_scope`` and the registered objects before saessak's own."""
    return _LOSSES.deserialize(config, custom_objects)


def get(identifier):
    """A loss from a name, a config dict, a Loss class or object, or any callable.

    Function names (``'mse'``, ``'binary_crossentropy'``) give the function; class names
    (``'BinaryCrossentropy'``) give a new object with default arguments.
    """
    return _LOSSES.get(identifier)

"""Loss functions: how far the predictions are from the targets, as one number to minimise.

Two forms, as in Keras:

- functions ``fn(y_true, y_pred)`` give one loss per sample (the mean, or for the
  cross-entropies the sum, over the last axis): ``mse(t, p).shape == p.shape[:-1]``;
- classes such as ``MeanSquaredError()`` are called as ``loss(y_true, y_pred,
  sample_weight=None)`` and reduce those per-sample losses to a scalar Tensor, by default
  with Keras's ``"sum_over_batch_size"``: sum(loss * weight) / number of loss values.

The cross-entropies are single fused nodes with their backward written out: from logits
they use ``log_softmax`` / ``softplus`` forms that never overflow, from probabilities they
clip to ``[epsilon, 1 - epsilon]`` (epsilon = 1e-7) as Keras does. ``y_true`` may be a
NumPy array (integer class labels for the sparse loss) or a Tensor.
"""

from __future__ import annotations

import numpy as np

from . import backend, ops
from .autograd.tensor import Function, Tensor

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


def _axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"losses: axis {axis} is out of range for predictions of rank {ndim}")
    return axis % ndim


# --- fused nodes: forward and backward side by side -----------------------------------------


class MeanSquaredErrorFn(Function):
    """mean((p - t)^2) over the last axis; d/dp = 2 (p - t) / n."""

    def forward(self, t, p):
        self.d = p - t
        self.n = self.d.shape[-1] if self.d.ndim else 1
        if not self.d.ndim:
            return self.d * self.d
        # each row's d . d, as einsum's dot products: NumPy's mean along a short last axis
        # is several times slower
        return np.einsum("...i,...i->...", self.d, self.d) / self.n

    def backward(self, g):
        gp = self.d * (np.expand_dims(g, -1) * (2.0 / self.n))
        return (-gp if self.needs_input_grad(0) else None), gp


class MeanAbsoluteErrorFn(Function):
    """mean(|p - t|) over the last axis; d/dp = sign(p - t) / n."""

    def forward(self, t, p):
        d = p - t
        self.sign = np.sign(d)
        self.n = d.shape[-1] if d.ndim else 1
        return np.abs(d).mean(axis=-1)

    def backward(self, g):
        gp = self.sign * (np.expand_dims(g, -1) / self.n)
        return (-gp if self.needs_input_grad(0) else None), gp


class BinaryCrossentropyFn(Function):
    """mean over ``axis`` of -[t log p + (1 - t) log(1 - p)], p clipped to [eps, 1 - eps].

    d/dp = (p - t) / (p (1 - p)) inside the clip range (0 outside, as the clip is flat);
    d/dt = log(1 - p) - log(p).
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, p):
        eps = backend.epsilon()
        pc = np.clip(p, eps, 1 - eps)
        self.inside = (p >= eps) & (p <= 1 - eps)
        self.log_p, self.log_q = np.log(pc), np.log1p(-pc)
        self.pc, self.t = pc, t
        loss = -(t * self.log_p + (1 - t) * self.log_q)
        self.axis = _axis(self.axis, loss.ndim)
        self.n = loss.shape[self.axis]
        return loss.mean(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis) / self.n
        pc = self.pc
        gp = g * self.inside * (pc - self.t) / (pc * (1 - pc))
        gt = g * (self.log_q - self.log_p) if self.needs_input_grad(0) else None
        return gt, gp


class BinaryCrossentropyWithLogitsFn(Function):
    """The same loss with p = sigmoid(z), written so it never overflows:
    max(z, 0) - z t + log(1 + e^-|z|).  d/dz = sigmoid(z) - t;  d/dt = -z."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, z):
        self.t, self.z = t, z
        loss = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        self.axis = _axis(self.axis, loss.ndim)
        self.n = loss.shape[self.axis]
        return loss.mean(axis=self.axis)

    def backward(self, g):
        from .ops.activations import _sigmoid

        g = np.expand_dims(g, self.axis) / self.n
        gz = g * (_sigmoid(self.z) - self.t)
        gt = -g * self.z if self.needs_input_grad(0) else None
        return gt, gz


class CategoricalCrossentropyFn(Function):
    """-sum(t log q) over ``axis``, q = p / sum(p) clipped to [eps, 1 - eps].

    With G = dL/dq = -t / q (0 where clipped): dL/dp = (G - sum(G q)) / sum(p), the
    derivative of the normalisation; dL/dt = -log q.
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, p):
        eps = backend.epsilon()
        self.axis = _axis(self.axis, max(p.ndim, np.ndim(t)))
        self.s = p.sum(axis=self.axis, keepdims=True)
        self.q = p / self.s
        qc = np.clip(self.q, eps, 1 - eps)
        self.inside = (self.q >= eps) & (self.q <= 1 - eps)
        self.t, self.qc, self.log_q = t, qc, np.log(qc)
        return -(t * self.log_q).sum(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis)
        dq = -g * self.inside * self.t / self.qc
        gp = (dq - (dq * self.q).sum(axis=self.axis, keepdims=True)) / self.s
        gt = -g * self.log_q if self.needs_input_grad(0) else None
        return gt, gp


class CategoricalCrossentropyWithLogitsFn(Function):
    """-sum(t log_softmax(z)) over ``axis``.  d/dz = softmax(z) sum(t) - t;  d/dt = -log_softmax."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, z):
        self.axis = _axis(self.axis, max(z.ndim, np.ndim(t)))
        shifted = z - z.max(axis=self.axis, keepdims=True)  # no overflow in exp
        self.log_p = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.t = t
        return -(t * self.log_p).sum(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis)
        t = self.t
        gz = g * (np.exp(self.log_p) * t.sum(axis=self.axis, keepdims=True) - t)
        gt = -g * self.log_p if self.needs_input_grad(0) else None
        return gt, gz


def _check_labels(labels, n_classes, valid):
    picked = labels[valid] if valid is not None else labels
    if picked.size and (picked.min() < 0 or picked.max() >= n_classes):
        raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, "
                         f"{n_classes}) for predictions with {n_classes} classes; received "
                         f"values from {picked.min()} to {picked.max()}")


class SparseCategoricalCrossentropyFn(Function):
    """-log q[label], q = p / sum(p) clipped to [eps, 1 - eps]; the labels are integers.

    Only q[label] matters: dL/dp_k = c (delta_k,label - q_label) with c = -1 / (q_label sum p).
    Entries whose label is ``ignore_class`` get loss 0 and no gradient.
    """

    def __init__(self, ignore_class=None):
        self.ignore_class = ignore_class

    def forward(self, p, labels):
        eps = backend.epsilon()
        n_classes = p.shape[-1]
        p2, y = p.reshape(-1, n_classes), labels.reshape(-1)
        self.valid = None if self.ignore_class is None else y != self.ignore_class
        if self.valid is not None:
            y = np.where(self.valid, y, 0)
        _check_labels(y, n_classes, self.valid)
        rows = backend.get_array_module(p).arange(len(y))
        s = p2.sum(axis=1)
        q = p2[rows, y] / s
        qc = np.clip(q, eps, 1 - eps)
        loss = -np.log(qc)
        # everything backward needs, per row: c = -1 / (q s) where not clipped (or ignored)
        c = -((q >= eps) & (q <= 1 - eps)).astype(p.dtype) / (qc * s)
        if self.valid is not None:
            loss, c = loss * self.valid, c * self.valid
        self.c, self.q, self.rows, self.y, self.shape = c, q, rows, y, p.shape
        return loss.reshape(labels.shape).astype(p.dtype, copy=False)

    def backward(self, g):
        c = self.c * g.reshape(-1)
        gp = backend.get_array_module(g).empty((len(c), self.shape[-1]), dtype=g.dtype)
        gp[...] = (-c * self.q)[:, None]
        gp[self.rows, self.y] += c
        return gp.reshape(self.shape), None


class SparseCategoricalCrossentropyWithLogitsFn(Function):
    """logsumexp(z) - z[label];  d/dz = softmax(z) - onehot(label)."""

    def __init__(self, ignore_class=None):
        self.ignore_class = ignore_class

    def forward(self, z, labels):
        n_classes = z.shape[-1]
        z2, y = z.reshape(-1, n_classes), labels.reshape(-1)
        self.valid = None if self.ignore_class is None else y != self.ignore_class
        if self.valid is not None:
            y = np.where(self.valid, y, 0)
        _check_labels(y, n_classes, self.valid)
        rows = backend.get_array_module(z).arange(len(y))
        m = z2.max(axis=1, keepdims=True)
        e = np.exp(z2 - m)  # shifted: no overflow
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s) + m)[:, 0] - z2[rows, y]
        if self.valid is not None:
            loss = loss * self.valid
        self.e, self.s, self.rows, self.y, self.shape = e, s, rows, y, z.shape
        return loss.reshape(labels.shape)

    def backward(self, g):
        p = self.e / self.s  # softmax (a new array: backward may run twice)
        p[self.rows, self.y] -= 1
        g = g.reshape(-1, 1)
        if self.valid is not None:
            g = g * self.valid[:, None]
        p *= g
        return p.reshape(self.shape), None


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


# --- loss classes -------------------------------------------------------------------------


class Loss:
    """Base class of the Keras loss objects.

    Subclasses write ``call(y_true, y_pred)`` returning per-sample losses; calling the
    object adds sample weights and the reduction.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
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


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


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
# the canonical name each function serializes to
_NAME_OF = {}
for _name, _fn in _FUNCTIONS.items():
    _NAME_OF.setdefault(_fn, _name)


def serialize(loss):
    """A function's name (``'mean_squared_error'``) or ``{'class_name', 'config'}``."""
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    if loss in _NAME_OF:
        return _NAME_OF[loss]
    name = getattr(loss, "__name__", None)
    if name is None:
        raise ValueError(f"losses.serialize: expected a loss function or Loss, "
                         f"received {loss!r}")
    return name


def deserialize(config, custom_objects=None):
    """The loss that :func:`serialize` described."""
    if isinstance(config, dict):
        name = config.get("class_name")
        cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"losses.deserialize: unknown loss class {name!r}; known: "
                             f"{sorted(_CLASSES)}")
        return cls.from_config(config.get("config") or {})
    if custom_objects and config in custom_objects:
        return custom_objects[config]
    return get(config)


def get(identifier):
    """A loss from a name, a config dict, a Loss class or object, or any callable.

    Function names (``'mse'``, ``'binary_crossentropy'``) give the function; class names
    (``'BinaryCrossentropy'``) give a new object with default arguments.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES and identifier != "LossFunctionWrapper":
            return _CLASSES[identifier]()
        known = sorted(set(_FUNCTIONS) | set(_CLASSES) - {"LossFunctionWrapper"})
        raise ValueError(f"losses.get: unknown loss {identifier!r}; known names: {known}")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"losses.get: expected a name, a dict, a Loss or a callable, "
                     f"received {identifier!r}")

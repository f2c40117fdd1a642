"""``tf.math``: elementwise math, reductions and comparisons under TensorFlow's names.

The differentiable ones are ``saessak.ops`` ops (gradients flow through them in a
``GradientTape``); comparisons, ``argmax`` and the like return integer or boolean tensors
without a graph, as TensorFlow gives no gradient through them either.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..autograd import Tensor
from ._namespace import Namespace
from .tensors import _dtype, _pair, _plain, _t


def _unary(op):
    def f(x, name=None):
        return op(_t(x))
    f.__name__, f.__doc__ = op.__name__, f"``tf.math.{op.__name__}`` (differentiable)."
    return f


abs, exp, log, log1p, sqrt, square = (  # noqa: A001 - TensorFlow's names
    _unary(ops.abs), _unary(ops.exp), _unary(ops.log), _unary(ops.log1p), _unary(ops.sqrt),
    _unary(ops.square))
sin, cos, tanh, sigmoid, erf = (_unary(ops.sin), _unary(ops.cos), _unary(ops.tanh),
                               _unary(ops.sigmoid), _unary(ops.erf))
negative = _unary(ops.negative)
tan, sinh, cosh, expm1, erfc, erfinv = (_unary(ops.tan), _unary(ops.sinh), _unary(ops.cosh),
                                        _unary(ops.expm1), _unary(ops.erfc),
                                        _unary(ops.erfinv))
# TensorFlow's short names for the inverse functions
asin, acos, atan = _unary(ops.arcsin), _unary(ops.arccos), _unary(ops.arctan)
asinh, acosh, atanh = _unary(ops.arcsinh), _unary(ops.arccosh), _unary(ops.arctanh)


def add(x, y, name=None):
    return ops.add(*_pair(x, y))


def add_n(inputs, name=None):
    """The sum of a list of tensors of one shape."""
    inputs = [_t(x) for x in inputs]
    if not inputs:
        raise ValueError("add_n: expected at least one tensor, received an empty list")
    total = inputs[0]
    for x in inputs[1:]:
        total = total + x
    return total


def subtract(x, y, name=None):
    return ops.subtract(*_pair(x, y))


def multiply(x, y, name=None):
    return ops.multiply(*_pair(x, y))


def divide(x, y, name=None):
    return ops.divide(*_pair(x, y))


truediv = divide


def pow(x, y, name=None):  # noqa: A001
    return _t(x) ** y


def maximum(x, y, name=None):
    return ops.maximum(*_pair(x, y))


def minimum(x, y, name=None):
    return ops.minimum(*_pair(x, y))


def squared_difference(x, y, name=None):
    x, y = _pair(x, y)
    return ops.square(x - y)


def rsqrt(x, name=None):
    return 1.0 / ops.sqrt(_t(x))


def reciprocal(x, name=None):
    return 1.0 / _t(x)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    return ops.clip(_t(t), _plain(clip_value_min), _plain(clip_value_max))


def matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    a, b = _t(a), _t(b)
    if transpose_a:
        a = ops.swapaxes(a, -1, -2)
    if transpose_b:
        b = ops.swapaxes(b, -1, -2)
    return ops.matmul(a, b)


def tensordot(a, b, axes, name=None):
    """Sums of products over ``axes`` (a count, or two lists of axes)."""
    return ops.tensordot(_t(a), _t(b), axes)


def einsum(equation, *inputs, **kwargs):
    """Einstein summation (``tf.einsum("bij,ijkl->bkl", a, b)``), differentiable."""
    return ops.einsum(equation, *(_t(x) for x in inputs))


def _reduction(op, doc):
    def f(input_tensor, axis=None, keepdims=False, name=None):
        return op(_t(input_tensor), axis=_axis(axis), keepdims=keepdims)
    f.__doc__ = doc
    return f


reduce_sum = _reduction(ops.sum, "Sum over ``axis`` (all axes when None).")
reduce_mean = _reduction(ops.mean, "Mean over ``axis`` (all axes when None).")
reduce_max = _reduction(ops.max, "Largest value over ``axis``.")
reduce_min = _reduction(ops.min, "Smallest value over ``axis``.")
reduce_std = _reduction(ops.std, "Population standard deviation over ``axis``.")
reduce_variance = _reduction(ops.var, "Population variance over ``axis``.")
reduce_logsumexp = _reduction(ops.logsumexp, "log(sum(exp(x))) over ``axis``, stably.")


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over ``axis`` (differentiable, zeros included)."""
    return ops.prod(_t(input_tensor), axis=_axis(axis), keepdims=keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return Tensor(np.any(_t(input_tensor).data, axis=_axis(axis), keepdims=keepdims))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return Tensor(np.all(_t(input_tensor).data, axis=_axis(axis), keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=False, dtype=np.int64, name=None):  # noqa: A002
    counts = np.count_nonzero(_t(input).data, axis=_axis(axis), keepdims=keepdims)
    return Tensor(np.asarray(counts, dtype=_dtype(dtype)))


def _axis(axis):
    axis = _plain(axis)
    return axis if axis is None or np.ndim(axis) == 0 else tuple(int(a) for a in axis)


def argmax(input, axis=None, output_type=np.int64, name=None):  # noqa: A002
    """Index of the largest value along ``axis`` (TensorFlow's default axis is 0)."""
    axis = 0 if axis is None else axis
    return ops.cast(ops.argmax(_t(input), axis=axis), _dtype(output_type))


def argmin(input, axis=None, output_type=np.int64, name=None):  # noqa: A002
    axis = 0 if axis is None else axis
    return ops.cast(ops.argmin(_t(input), axis=axis), _dtype(output_type))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum (differentiable); ``exclusive`` leaves each element out of its own,
    ``reverse`` runs from the end."""
    x = _t(x)
    x = ops.flip(x, axis) if reverse else x
    out = ops.cumsum(x, axis=axis)
    if exclusive:
        out = out - x
    return ops.flip(out, axis) if reverse else out


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product (differentiable, zeros included)."""
    x = _t(x)
    x = ops.flip(x, axis) if reverse else x
    out = ops.cumprod(x, axis=axis)
    if exclusive:  # shift by one: 1, x0, x0 x1, ...
        ones = ops.ones_like(ops.take(x, [0], axis=axis))
        out = ops.concatenate([ones, ops.take(out, list(range(x.shape[axis] - 1)), axis=axis)],
                              axis=axis)
    return ops.flip(out, axis) if reverse else out


def segment_sum(data, segment_ids, name=None):
    return ops.segment_sum(_t(data), _plain(segment_ids))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    return ops.segment_sum(_t(data), _plain(segment_ids), num_segments=num_segments)


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices (values, indices)."""
    a = np.asarray(_t(input).data)
    idx = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    return Tensor(np.take_along_axis(a, idx, -1)), Tensor(idx.astype(np.int32))


def _compare(fn):
    def f(x, y, name=None):
        return Tensor(fn(_t(x).data, _t(y).data))
    f.__name__ = fn.__name__
    return f


equal, not_equal = _compare(np.equal), _compare(np.not_equal)
greater, greater_equal = _compare(np.greater), _compare(np.greater_equal)
less, less_equal = _compare(np.less), _compare(np.less_equal)
logical_and, logical_or = _compare(np.logical_and), _compare(np.logical_or)


def logical_not(x, name=None):
    return Tensor(np.logical_not(_t(x).data))


def _elementwise(fn):
    def f(x, name=None):
        return Tensor(fn(_t(x).data))
    f.__name__ = fn.__name__
    return f


sign, floor, ceil, round = (  # noqa: A001
    _elementwise(np.sign), _elementwise(np.floor), _elementwise(np.ceil),
    _elementwise(np.rint))  # tf.round rounds half to even, as np.rint
is_nan, is_inf, is_finite = _elementwise(np.isnan), _elementwise(np.isinf), \
    _elementwise(np.isfinite)


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y is 0 (the gradient flows where y is not 0)."""
    return ops.divide_no_nan(*_pair(x, y))


def atan2(y, x, name=None):
    """The angle of the point (x, y), in (-pi, pi]."""
    return ops.arctan2(*_pair(y, x))


def floormod(x, y, name=None):
    """x - floor(x / y) y: the remainder with the divisor's sign (``tf.math.mod``)."""
    return ops.mod(*_pair(x, y))


def floordiv(x, y, name=None):
    """floor(x / y) (no gradient)."""
    return ops.floor_divide(*_pair(x, y))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None):
    x = _t(x)
    return x / ops.sqrt(ops.maximum(ops.sum(x * x, axis=_axis(axis), keepdims=True),
                                    epsilon))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """``tf.norm``: with no axis, the vector norm of all elements (any ``ord``); with one
    axis a vector norm, with two a matrix norm ('euclidean' is the 2-norm or Frobenius)."""
    x = _t(tensor)
    ord = None if ord == "euclidean" else ord  # noqa: A001
    if ord == 2 and isinstance(axis, (tuple, list)) and len(axis) == 2:
        raise ValueError("tf.norm: ord=2 over a matrix (the spectral norm) is not supported "
                         "by TensorFlow either; use 'euclidean', 'fro', 1 or inf")
    if axis is None:
        value = ops.norm(ops.reshape(x, (-1,)), ord, 0)
        return ops.reshape(value, (1,) * x.ndim) if keepdims else value
    return ops.norm(x, ord, _axis(axis), bool(keepdims))


def softmax(logits, axis=-1, name=None):
    return ops.softmax(_t(logits), axis=axis)


def log_softmax(logits, axis=-1, name=None):
    return ops.log_softmax(_t(logits), axis=axis)


def softplus(features, name=None):
    return ops.softplus(_t(features))


def in_top_k(targets, predictions, k, name=None):
    """Whether each target index is among its row's ``k`` largest predictions."""
    return ops.in_top_k(_plain(targets), _t(predictions), k)


_EXPORTED = (
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "erfc",
    "erfinv", "expm1", "floordiv", "floormod", "sinh", "tan", "cumprod", "segment_sum",
    "unsorted_segment_sum",
    "add", "add_n", "argmax", "argmin", "ceil", "clip_by_value", "cos", "count_nonzero",
    "cumsum", "divide", "divide_no_nan", "equal", "erf", "exp", "floor", "greater",
    "greater_equal", "in_top_k", "is_finite", "is_inf", "is_nan", "l2_normalize", "less",
    "less_equal", "log", "log1p", "log_softmax", "logical_and", "logical_not", "logical_or",
    "matmul", "maximum", "minimum", "multiply", "negative", "norm", "not_equal", "pow",
    "reciprocal",
    "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean",
    "reduce_min", "reduce_prod", "reduce_std", "reduce_sum", "reduce_variance", "round",
    "rsqrt", "sigmoid", "sign", "sin", "softmax", "softplus", "sqrt", "square",
    "squared_difference", "subtract", "tanh", "tensordot", "top_k", "truediv")

mod = floormod
_EXPORTED += ("mod",)

math = Namespace("tf.math", "tf.math: elementwise math, reductions, comparisons",
                 **{k: globals()[k] for k in _EXPORTED})

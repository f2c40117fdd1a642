"""The rest of Keras 3's ``keras.ops`` vocabulary, so that ``saessak.ops`` (also
``saessak.keras.ops``) answers to Keras's names: conversion and inspection (``shape``,
``convert_to_tensor``, ``convert_to_numpy``), array creation (``arange``, ``zeros`` ...),
comparisons and logic, sorting, a few aliases (``absolute``, ``ravel`` ...) and the
cross-entropies of ``keras.ops.nn``.

Every function takes Tensors, NumPy arrays, lists or numbers. The differentiable ones are
built from the ops beside this module; comparisons, sorting indices and creation give
Tensors without a graph, as in Keras.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import backend
from .._distribution import training_strategy
from ..autograd.tensor import Tensor
from .activations import log_softmax, relu
from .manipulation import gather, getitem, one_hot, reshape, stack, transpose, where
from .math import abs, clip, exp, log, log1p, maximum, sqrt
from .reduction import mean, sum, var


def convert_to_tensor(x, dtype=None, sparse=None):
    """A Tensor; Python floats become floatx (float32), Python ints int32, as in Keras."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else x.astype(dtype)
    array = np.asarray(x)
    if dtype is not None:
        array = array.astype(dtype)
    elif not isinstance(x, np.ndarray):
        if array.dtype.kind == "f":
            array = array.astype(backend.floatx())
        elif array.dtype.kind == "i":
            array = array.astype(np.int32)
    return Tensor(array)


def convert_to_numpy(x):
    """A NumPy array (copied off the GPU when needed)."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _tensor(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def shape(x) -> tuple:
    """The shape as a tuple of ints (``keras.ops.shape``)."""
    return tuple(np.shape(_data(x)))


def dtype(x) -> str:
    return _data(x).dtype.name


def ndim(x) -> int:
    return np.ndim(_data(x))


def size(x) -> int:
    return int(np.size(_data(x)))


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def stop_gradient(x):
    """The same values, with no gradient flowing back through them."""
    return _tensor(x).detach()


# --- creation -------------------------------------------------------------------------------
def _float(dtype):
    return np.dtype(dtype) if dtype is not None else np.dtype(backend.floatx())


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop); integers stay int32 unless ``dtype`` says."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None:
        dtype = "int32" if values.dtype.kind in "iu" else backend.floatx()
    return Tensor(values.astype(dtype))


def zeros(shape, dtype=None):
    return Tensor(np.zeros(shape, _float(dtype)))


def ones(shape, dtype=None):
    return Tensor(np.ones(shape, _float(dtype)))


def full(shape, fill_value, dtype=None):
    return Tensor(np.full(shape, fill_value, _float(dtype)))


def zeros_like(x, dtype=None):
    return Tensor(np.zeros_like(_data(x), dtype=dtype))


def ones_like(x, dtype=None):
    return Tensor(np.ones_like(_data(x), dtype=dtype))


def full_like(x, fill_value, dtype=None):
    return Tensor(np.full_like(_data(x), fill_value, dtype=dtype))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's argument names
    return Tensor(np.eye(N, M, k, dtype=_float(dtype)))


identity = eye


def linspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return Tensor(np.linspace(start, stop, num, endpoint=endpoint, axis=axis)
                  .astype(_float(dtype)))


def tril(x, k=0):
    x = _tensor(x)
    return where(np.tril(np.ones(x.shape[-2:], bool), k), x, np.zeros((), x.dtype))


def triu(x, k=0):
    x = _tensor(x)
    return where(np.triu(np.ones(x.shape[-2:], bool), k), x, np.zeros((), x.dtype))


# --- aliases and reshaping by Keras's names ----------------------------------------------------
def absolute(x):
    return abs(_tensor(x))


def ravel(x):
    return reshape(_tensor(x), (-1,))


def moveaxis(x, source, destination):
    x = _tensor(x)
    src = [int(a) % x.ndim for a in np.atleast_1d(source)]
    dst = [int(a) % x.ndim for a in np.atleast_1d(destination)]
    order = [a for a in range(x.ndim) if a not in src]
    for d, a in sorted(zip(dst, src)):  # NumPy's rule: place each moved axis in turn
        order.insert(d, a)
    return transpose(x, order)


def flip(x, axis=None):
    x = _tensor(x)
    axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
    index = [slice(None)] * x.ndim
    for a in axes:
        index[int(a)] = slice(None, None, -1)
    return getitem(x, tuple(index))


def take(x, indices, axis=None):
    x = _tensor(x)
    if axis is None:
        return gather(reshape(x, (-1,)), _data(indices), axis=0)
    return gather(x, _data(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    x, idx = _tensor(x), np.asarray(_data(indices))
    if axis is None:
        return getitem(reshape(x, (-1,)), idx)
    axis = axis % x.ndim
    grids = list(np.ogrid[tuple(slice(n) for n in idx.shape)])
    grids[axis] = idx
    return getitem(x, tuple(grids))


def reciprocal(x):
    return 1.0 / _tensor(x)


def rsqrt(x):
    return 1.0 / sqrt(_tensor(x))


def average(x, axis=None, weights=None):
    x = _tensor(x)
    if weights is None:
        return mean(x, axis=axis)
    w = np.asarray(_data(weights), x.dtype)
    if axis is not None and w.ndim == 1:
        shape_ = [1] * x.ndim
        shape_[axis] = -1
        w = w.reshape(shape_)
    return sum(x * w, axis=axis) / np.sum(np.broadcast_to(w, x.shape), axis=axis)


# --- non-differentiable results ----------------------------------------------------------------
def _elementwise(fn, doc):
    def f(*args):
        return Tensor(fn(*(_data(a) for a in args)))
    f.__name__, f.__doc__ = fn.__name__, doc
    return f


equal = _elementwise(np.equal, "x1 == x2, elementwise (booleans).")
not_equal = _elementwise(np.not_equal, "x1 != x2, elementwise.")
greater = _elementwise(np.greater, "x1 > x2, elementwise.")
greater_equal = _elementwise(np.greater_equal, "x1 >= x2, elementwise.")
less = _elementwise(np.less, "x1 < x2, elementwise.")
less_equal = _elementwise(np.less_equal, "x1 <= x2, elementwise.")
logical_and = _elementwise(np.logical_and, "Elementwise and.")
logical_or = _elementwise(np.logical_or, "Elementwise or.")
logical_not = _elementwise(np.logical_not, "Elementwise not.")
logical_xor = _elementwise(np.logical_xor, "Elementwise exclusive or.")
isnan = _elementwise(np.isnan, "Whether each element is NaN.")
isinf = _elementwise(np.isinf, "Whether each element is infinite.")
isfinite = _elementwise(np.isfinite, "Whether each element is finite.")
floor = _elementwise(np.floor, "Largest integer <= x (no gradient).")
ceil = _elementwise(np.ceil, "Smallest integer >= x (no gradient).")
round = _elementwise(np.round, "Round half to even (no gradient).")  # noqa: A001


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return Tensor(np.all(_data(x), axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001
    return Tensor(np.any(_data(x), axis=axis, keepdims=keepdims))


def sort(x, axis=-1):
    """Sorted values (no gradient in saessak)."""
    return Tensor(np.sort(_data(x), axis=axis))


def argsort(x, axis=-1):
    return Tensor(np.argsort(_data(x), axis=axis, kind="stable").astype(np.int32))


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's argument name
    """(values, indices) of the ``k`` largest entries of the last axis."""
    idx = np.argsort(-_data(x), axis=-1, kind="stable")[..., :k]
    return take_along_axis(x, idx, axis=-1), Tensor(idx.astype(np.int32))


def count_nonzero(x, axis=None):
    return Tensor(np.asarray(np.count_nonzero(_data(x), axis=axis), dtype=np.int32))


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    """1 at every index listed in each row (``keras.ops.multi_hot``): the one-hot codes,
    with the classes along ``axis``, folded by a maximum over axis 1 (axis 0 for a single
    row), as Keras does."""
    indices = np.asarray(_data(inputs))
    encoded = one_hot(indices, num_classes, dtype=dtype, axis=axis)
    return Tensor(np.max(encoded.data, axis=1 if indices.ndim > 1 else 0))


# --- keras.ops.nn ---------------------------------------------------------------------------
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over ``axes``. ``synchronized`` statistics over every replica are
    not supported here: a data-parallel ``fit`` gets each replica's own, with a warning
    (``BatchNormalization(synchronized=True)`` does synchronise)."""
    if synchronized and training_strategy() is not None:
        warnings.warn("ops.moments: synchronized=True is not supported; each replica uses "
                      "its own batch statistics", stacklevel=2)
    x = _tensor(x)
    axes = tuple(np.atleast_1d(axes).tolist())
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its L2 norm along ``axis``."""
    if order != 2:
        raise ValueError(f"normalize: saessak supports order=2 only, received {order}")
    x = _tensor(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    return x / sqrt(maximum(sum(x * x, axis=axis, keepdims=True), eps * eps))


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (``keras.ops.binary_crossentropy``)."""
    output = _tensor(output)
    t = np.asarray(_data(target), output.dtype)
    if from_logits:  # max(x, 0) - x t + log(1 + e^-|x|), stable for any x
        return relu(output) - output * t + log1p(exp(-abs(output)))
    eps = backend.epsilon()
    p = clip(output, eps, 1 - eps)
    return -(t * log(p) + (1 - t) * log(1 - p))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(probabilities)) along ``axis``."""
    output = _tensor(output)
    t = np.asarray(_data(target), output.dtype)
    if from_logits:
        return -sum(t * log_softmax(output, axis=axis), axis=axis)
    eps = backend.epsilon()
    p = output / sum(output, axis=axis, keepdims=True)
    return -sum(t * log(clip(p, eps, 1 - eps)), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy with class indices as targets."""
    output = _tensor(output)
    t = one_hot(np.asarray(_data(target)).astype(np.int64), output.shape[axis],
                dtype=output.dtype)
    return categorical_crossentropy(t, output, from_logits=from_logits, axis=axis)


# --- control flow, run eagerly -----------------------------------------------------------------
def cond(pred, true_fn, false_fn):
    return true_fn() if builtins.bool(_data(pred)) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    value = init_val
    for i in builtins.range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while cond(*state) and (maximum_iterations is None or steps < maximum_iterations):
        state = body(*state)
        state = (state,) if single else tuple(state)
        steps += 1
    return state[0] if single else state


def vectorized_map(function, elements):
    """``function`` on each element along the first axis, the results stacked."""
    return stack([_tensor(function(e)) for e in _tensor(elements)])

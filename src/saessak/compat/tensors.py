"""The TensorFlow calls the seeds make beside Keras, under the same names.

Seed 004's text sampler, for example, reads unchanged with ``import saessak as tf``::

    encoded = tf.reshape(encoded, (1, -1))
    logits = tf.squeeze(model(encoded), 0)
    new_id = tf.random.categorical(logits * scale, num_samples=1)
    new_id = tf.squeeze(new_id)[-1].numpy()
    encoded = tf.concat([encoded, tf.expand_dims([new_id], 0)], axis=1)

Each function returns a saessak ``Tensor`` (``.numpy()`` gives the array) and is
differentiable where the TensorFlow one is, since it is the matching ``saessak.ops`` op.
``saessak.random`` and ``saessak.math`` hold the ``tf.random.*`` and ``tf.math.*`` names.
"""

from __future__ import annotations

import builtins
import types

import numpy as np

from . import backend, ops
from .autograd import Tensor

# dtypes by name, as ``tf.float32`` etc. (NumPy dtypes, which saessak uses throughout)
float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, bool_ = np.uint8, np.bool_
string = np.object_


def _dtype(dtype):
    return None if dtype is None else np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def convert_to_tensor(value, dtype=None, name=None):
    """A Tensor from a Tensor, array, list or number. Python floats become ``floatx``
    (float32) and Python ints int32, as in TensorFlow."""
    if isinstance(value, Tensor):
        return value if dtype is None else ops.cast(value, _dtype(dtype))
    array = np.asarray(value)
    if dtype is None and not isinstance(value, np.ndarray):
        if array.dtype.kind == "f":
            array = array.astype(backend.floatx())
        elif array.dtype.kind == "i":
            array = array.astype(np.int32)
    elif dtype is not None:
        array = array.astype(_dtype(dtype))
    return Tensor(array, name=name)


def constant(value, dtype=None, shape=None, name=None):
    """``tf.constant``: like ``convert_to_tensor``; a scalar is broadcast to ``shape``."""
    t = convert_to_tensor(value, dtype, name)
    if shape is not None:
        data = t.data
        data = np.broadcast_to(data, shape) if data.size == 1 else data.reshape(shape)
        t = Tensor(np.array(data), name=name)
    return t


def _t(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def reshape(tensor, shape, name=None):
    return ops.reshape(_t(tensor), tuple(shape))


def squeeze(input, axis=None, name=None):  # noqa: A002 - TensorFlow's argument name
    return ops.squeeze(_t(input), axis)


def expand_dims(input, axis, name=None):  # noqa: A002
    return ops.expand_dims(_t(input), axis)


def concat(values, axis, name=None):
    tensors = [_t(v) for v in values]
    kinds = {t.data.dtype.kind for t in tensors}
    if len(kinds) > 1 and kinds <= {"i", "u"}:  # int32 ids next to int64 ids: widen
        tensors = [ops.cast(t, np.int64) for t in tensors]
    return ops.concat(tensors, axis=axis)


def stack(values, axis=0, name=None):
    return ops.stack([_t(v) for v in values], axis=axis)


def matmul(a, b, name=None):
    return ops.matmul(_t(a), _t(b))


def transpose(a, perm=None, name=None):
    return ops.transpose(_t(a), perm)


def cast(x, dtype, name=None):
    return ops.cast(_t(x), _dtype(dtype))


def zeros(shape, dtype=None, name=None):
    return Tensor(np.zeros(tuple(shape), dtype=_dtype(dtype) or backend.floatx()))


def ones(shape, dtype=None, name=None):
    return Tensor(np.ones(tuple(shape), dtype=_dtype(dtype) or backend.floatx()))


def zeros_like(x, dtype=None, name=None):
    return Tensor(np.zeros_like(np.asarray(_t(x).data), dtype=_dtype(dtype)))


def ones_like(x, dtype=None, name=None):
    return Tensor(np.ones_like(np.asarray(_t(x).data), dtype=_dtype(dtype)))


def shape(input, name=None):  # noqa: A002
    return Tensor(np.array(_t(input).shape, dtype=np.int32))


def argmax(input, axis=None, output_type=np.int64, name=None):  # noqa: A002
    """Index of the largest value along ``axis`` (TensorFlow's default axis is 0)."""
    axis = 0 if axis is None else axis
    return ops.cast(ops.argmax(_t(input), axis=axis), _dtype(output_type))


def argmin(input, axis=None, output_type=np.int64, name=None):  # noqa: A002
    axis = 0 if axis is None else axis
    return ops.cast(ops.argmin(_t(input), axis=axis), _dtype(output_type))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    return ops.sum(_t(input_tensor), axis=axis, keepdims=keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    return ops.mean(_t(input_tensor), axis=axis, keepdims=keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    return ops.max(_t(input_tensor), axis=axis, keepdims=keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    return ops.min(_t(input_tensor), axis=axis, keepdims=keepdims)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors along a new last axis (``on_value``/``off_value`` default 1/0)."""
    out = ops.one_hot(np.asarray(_t(indices).data), depth, dtype=_dtype(dtype))
    if on_value is not None or off_value is not None:
        on = 1 if on_value is None else on_value
        off = 0 if off_value is None else off_value
        out = Tensor(np.where(out.data == 1, on, off).astype(out.data.dtype))
    if axis not in (None, -1):
        out = Tensor(np.moveaxis(out.data, -1, axis))
    return out


def py_function(func, inp, Tout, name=None):  # noqa: N803 - TensorFlow's argument name
    """Run a Python function eagerly (saessak is always eager); outputs cast to ``Tout``."""
    result = func(*inp)
    if isinstance(Tout, (list, tuple)):
        return [convert_to_tensor(r, dtype=t) for r, t in zip(result, Tout)]
    return convert_to_tensor(result, dtype=Tout)


def print(*values, sep=" ", end="\n", **kwargs):  # noqa: A001 - tf.print
    """``tf.print``: print tensors as their arrays."""
    shown = [np.asarray(v.data) if isinstance(v, Tensor) else v for v in values]
    builtins.print(*shown, sep=sep, end=end)


# -- tf.random ----------------------------------------------------------------------------
def _categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draw ``num_samples`` class indices per row of unnormalised log-probabilities.

    ``logits`` is (batch, classes); the result is (batch, num_samples) int64. The draws use
    saessak's global generator (``saessak.random.set_seed``) unless ``seed`` is given.
    """
    z = np.asarray(_t(logits).data, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"random.categorical: logits must be 2-D (batch, classes), received "
                         f"shape {z.shape}")
    rng = backend.make_rng(seed) if seed is not None else backend.rng()
    p = np.exp(z - z.max(axis=1, keepdims=True))   # softmax of each row
    p /= p.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(p, axis=1)
    u = rng.random((z.shape[0], num_samples))
    draws = np.minimum((u[:, :, None] > cumulative[:, None, :]).sum(-1), z.shape[1] - 1)
    return Tensor(draws.astype(_dtype(dtype) or np.int64))


def _uniform(shape, minval=0, maxval=None, dtype=None, seed=None, name=None):
    rng = backend.make_rng(seed) if seed is not None else backend.rng()
    maxval = 1 if maxval is None else maxval
    dtype = _dtype(dtype) or np.dtype(backend.floatx())
    if dtype.kind in "iu":
        return Tensor(rng.integers(minval, maxval, size=tuple(shape)).astype(dtype))
    return Tensor(rng.uniform(minval, maxval, size=tuple(shape)).astype(dtype))


def _normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    rng = backend.make_rng(seed) if seed is not None else backend.rng()
    dtype = _dtype(dtype) or np.dtype(backend.floatx())
    return Tensor(rng.normal(mean, stddev, size=tuple(shape)).astype(dtype))


random = types.SimpleNamespace(
    categorical=_categorical, set_seed=backend.set_random_seed, uniform=_uniform,
    normal=_normal)
random.__doc__ = "tf.random: categorical, set_seed, uniform, normal"

math = types.SimpleNamespace(
    softmax=lambda logits, axis=-1, name=None: ops.softmax(_t(logits), axis=axis),
    tanh=lambda x, name=None: ops.tanh(_t(x)),
    sigmoid=lambda x, name=None: ops.sigmoid(_t(x)),
    exp=lambda x, name=None: ops.exp(_t(x)),
    log=lambda x, name=None: ops.log(_t(x)),
    argmax=argmax, reduce_sum=reduce_sum, reduce_mean=reduce_mean, reduce_max=reduce_max)
math.__doc__ = "tf.math: softmax, tanh, sigmoid, exp, log, argmax, reduce_*"

__all__ = [
    "argmax", "argmin", "bool_", "cast", "concat", "constant", "convert_to_tensor",
    "expand_dims", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "math",
    "matmul", "one_hot", "ones", "ones_like", "print", "py_function", "random", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_sum", "reshape", "shape", "squeeze", "stack", "string",
    "transpose", "uint8", "zeros", "zeros_like",
]

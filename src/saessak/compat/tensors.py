"""TensorFlow's tensor-making and array functions (``tf.constant``, ``tf.reshape``,
``tf.gather`` ...) on saessak Tensors.

Each returns a saessak ``Tensor`` (``.numpy()`` gives the array) and is differentiable
where TensorFlow's is, since it is the matching ``saessak.ops`` op. Seed 004's sampler reads
unchanged::

    encoded = tf.reshape(encoded, (1, -1))
    logits = tf.squeeze(model(encoded), 0)
    encoded = tf.concat([encoded, tf.expand_dims([new_id], 0)], axis=1)
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import backend, ops
from ..autograd import Tensor

# dtypes by name, as ``tf.float32`` etc. (NumPy dtypes, which saessak uses throughout)
float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, bool_ = np.uint8, np.bool_
bool = np.bool_  # noqa: A001 - tf.bool
string = np.object_
half, double = np.float16, np.float64


def as_dtype(dtype):
    """A NumPy dtype from a TF/NumPy dtype or its name (``tf.as_dtype``); None stays None."""
    if dtype is None:
        return None
    dtype = getattr(dtype, "as_numpy_dtype", dtype)
    return np.dtype(object) if dtype in ("string", np.object_) else np.dtype(dtype)


_dtype = as_dtype


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
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
    t = convert_to_tensor(value, dtype, name=name)
    if shape is not None:
        data = t.data
        data = np.broadcast_to(data, shape) if data.size == 1 else data.reshape(shape)
        t = Tensor(np.array(data), name=name)
    return t


def _t(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _pair(x, y):
    """Both operands of a binary op as Tensors. A plain one (a number, list or array) takes
    the dtype of the Tensor beside it where that loses nothing (any value into a float
    tensor, integers into an integer one), as TensorFlow converts ``tf.maximum(x, 0)``."""
    if isinstance(x, Tensor) and not isinstance(y, Tensor):
        return x, _like(y, x)
    if isinstance(y, Tensor) and not isinstance(x, Tensor):
        return _like(x, y), y
    return _t(x), _t(y)


def _like(value, tensor):
    array = np.asarray(_plain(value))
    if tensor.dtype.kind == "f" or (array.dtype.kind in "iub" and tensor.dtype.kind in "iu"):
        return Tensor(array.astype(tensor.dtype))
    return convert_to_tensor(value)


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def identity(input, name=None):  # noqa: A002 - TensorFlow's argument name
    return ops.reshape(_t(input), _t(input).shape)


def stop_gradient(input, name=None):  # noqa: A002
    return _t(input).detach()


def reshape(tensor, shape, name=None):
    return ops.reshape(_t(tensor), tuple(int(n) for n in np.ravel(_plain(shape))))


def squeeze(input, axis=None, name=None):  # noqa: A002
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


def unstack(value, num=None, axis=0, name=None):
    """The slices of ``value`` along ``axis``, each without that axis (differentiable)."""
    value = _t(value)
    parts = ops.split(value, value.shape[axis], axis=axis)
    return [ops.squeeze(p, axis) for p in parts]


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    return ops.split(_t(value), _plain(num_or_size_splits), axis=axis)


def tile(input, multiples, name=None):  # noqa: A002
    return ops.tile(_t(input), tuple(int(n) for n in np.ravel(_plain(multiples))))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    if mode.upper() != "CONSTANT":
        raise ValueError(f"pad: saessak supports mode='CONSTANT' only, received {mode!r}")
    return ops.pad(_t(tensor), np.asarray(_plain(paddings)), constant_values)


def broadcast_to(input, shape, name=None):  # noqa: A002
    return ops.broadcast_to(_t(input), tuple(np.ravel(_plain(shape))))


def transpose(a, perm=None, conjugate=False, name=None):
    return ops.transpose(_t(a), perm)


def reverse(tensor, axis, name=None):
    t = _t(tensor)
    index = [slice(None)] * t.ndim
    for a in np.ravel(_plain(axis)):
        index[int(a)] = slice(None, None, -1)
    return t[tuple(index)]


def gather(params, indices, axis=None, batch_dims=0, name=None):
    if batch_dims:
        raise ValueError("gather: saessak supports batch_dims=0 only")
    return ops.gather(_t(params), np.asarray(_plain(indices)), axis=axis or 0)


def gather_nd(params, indices, batch_dims=0, name=None):
    idx = np.asarray(_plain(indices))
    return _t(params)[tuple(np.moveaxis(idx, -1, 0))]


def boolean_mask(tensor, mask, axis=None, name=None):
    return _t(tensor)[np.asarray(_plain(mask), dtype=builtins.bool)]


def where(condition, x=None, y=None, name=None):
    """``x`` where ``condition`` holds, else ``y``; with only the condition, the indices
    of its true entries as an (n, rank) int64 tensor."""
    cond = np.asarray(_plain(condition), dtype=builtins.bool)
    if x is None and y is None:
        return Tensor(np.argwhere(cond).astype(np.int64))
    x, y = _pair(x, y)
    return ops.where(cond, x, y)


def cast(x, dtype, name=None):
    return ops.cast(_t(x), _dtype(dtype))


def zeros(shape, dtype=None, name=None):
    return Tensor(np.zeros(_shape(shape), dtype=_dtype(dtype) or backend.floatx()))


def ones(shape, dtype=None, name=None):
    return Tensor(np.ones(_shape(shape), dtype=_dtype(dtype) or backend.floatx()))


def fill(dims, value, name=None):
    return Tensor(np.full(_shape(dims), value, dtype=_t(value).dtype))


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    return Tensor(np.zeros_like(np.asarray(_t(input).data), dtype=_dtype(dtype)))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    return Tensor(np.ones_like(np.asarray(_t(input).data), dtype=_dtype(dtype)))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=None, name=None):
    out = np.eye(num_rows, num_columns, dtype=_dtype(dtype) or backend.floatx())
    if batch_shape is not None:
        out = np.broadcast_to(out, tuple(batch_shape) + out.shape).copy()
    return Tensor(out)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - tf.range
    """``tf.range``: like Python's range; integers give int32, floats floatx."""
    if limit is None:
        start, limit = 0, start
    values = np.arange(_plain(start), _plain(limit), _plain(delta))
    if dtype is None:
        dtype = np.int32 if values.dtype.kind == "i" else backend.floatx()
    return Tensor(values.astype(_dtype(dtype)))


def linspace(start, stop, num, name=None, axis=0):
    return Tensor(np.linspace(_plain(start), _plain(stop), int(num), axis=axis)
                  .astype(backend.floatx()))


def shape(input, out_type=np.int32, name=None):  # noqa: A002
    return Tensor(np.array(_t(input).shape, dtype=_dtype(out_type)))


def rank(input, name=None):  # noqa: A002
    return Tensor(np.array(_t(input).ndim, dtype=np.int32))


def size(input, out_type=np.int32, name=None):  # noqa: A002
    return Tensor(np.array(_t(input).size, dtype=_dtype(out_type)))


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


numpy_function = py_function


def print(*values, sep=" ", end="\n", **kwargs):  # noqa: A001 - tf.print
    """``tf.print``: print tensors as their arrays."""
    shown = [np.asarray(v.data) if isinstance(v, Tensor) else v for v in values]
    builtins.print(*shown, sep=sep, end=end)


def _plain(x):
    """A Tensor's array, else ``x`` unchanged (for arguments that are not differentiated)."""
    return x.numpy() if isinstance(x, Tensor) else x


def _shape(shape):
    shape = _plain(shape)
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(n) for n in shape)

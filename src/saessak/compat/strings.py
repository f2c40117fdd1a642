"""``tf.strings``: text functions on Python strings, NumPy arrays of strings and the string
elements of a ``Dataset`` (so they work in ``Dataset.map`` and as a ``TextVectorization``
standardizer).

TensorFlow's strings are bytes. Here a Python ``str`` in gives a ``str`` out (what a
``TextVectorization(standardize=...)`` callable receives and must return) and ``bytes`` give
``bytes``; arrays and tensors give arrays whose string elements are UTF-8 ``bytes``, with
``.numpy()`` as TensorFlow's tensors have. A split that gives rows of different lengths (a
RaggedTensor in TensorFlow) gives a 1-D object array of 1-D arrays.
"""

from __future__ import annotations

import re

import numpy as np

from ..autograd import Tensor
from ..data.structure import EagerArray
from ._namespace import Namespace
from .tensors import _dtype


def _as_bytes(s) -> bytes:
    if isinstance(s, bytes):
        return s
    if isinstance(s, (str, np.str_)):
        return str(s).encode("utf-8")
    raise TypeError(f"tf.strings: expected strings, received {type(s).__name__} {s!r}")


def _values(x):
    """(array of bytes, how to give results back) for any accepted string input."""
    if isinstance(x, (str, np.str_)):
        return np.array(_as_bytes(x), dtype=object), "str"
    if isinstance(x, bytes):
        return np.array(x, dtype=object), "bytes"
    data = x.data if isinstance(x, Tensor) else x
    data = np.asarray(data)
    flat = [_as_bytes(s) for s in data.ravel()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(data.shape), "array"


def _give(result, kind):
    """Results back in the caller's kind: str, bytes, or an array with ``.numpy()``."""
    if kind == "array" or np.ndim(result) != 0:
        return np.asarray(result).view(EagerArray)
    value = np.asarray(result, dtype=object)[()]
    if kind == "str" and isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _map(fn, x, out_dtype=object):
    """``fn`` applied to each string (as bytes); numbers out come back as arrays."""
    values, kind = _values(x)
    result = np.empty(values.shape, dtype=out_dtype)
    result.reshape(-1)[:] = [fn(v) for v in values.ravel()]
    return _give(result, kind if out_dtype is object else "array")


def _text(fn):
    """An elementwise function of the decoded text, encoded back to bytes."""
    return lambda v: fn(v.decode("utf-8")).encode("utf-8")


def lower(input, encoding="", name=None):  # noqa: A002 - TensorFlow's argument name
    """Lower case: ASCII letters only by default (as TensorFlow), all with encoding='utf-8'."""
    return _map(_text(str.lower) if encoding else bytes.lower, input)


def upper(input, encoding="", name=None):  # noqa: A002
    return _map(_text(str.upper) if encoding else bytes.upper, input)


def strip(input, name=None):  # noqa: A002
    """Leading and trailing whitespace removed."""
    return _map(bytes.strip, input)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replace matches of ``pattern`` (``\\1`` in ``rewrite`` is the first group)."""
    compiled = re.compile(pattern.decode() if isinstance(pattern, bytes) else pattern)
    rewrite = rewrite.decode() if isinstance(rewrite, bytes) else rewrite
    count = 0 if replace_global else 1
    return _map(_text(lambda s: compiled.sub(rewrite, s, count=count)), input)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """Length of each string in bytes, or in characters with unit='UTF8_CHAR'."""
    count = _unit(unit, len, lambda v: len(v.decode("utf-8")))
    return _map(count, input, out_dtype=np.int32)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """``len`` bytes (or characters with unit='UTF8_CHAR') starting at ``pos``."""
    n = len
    cut = _unit(unit, lambda v: v[pos:pos + n if pos + n != 0 else None],
                _text(lambda s: s[pos:pos + n if pos + n != 0 else None]))
    return _map(cut, input)


def _unit(unit, by_byte, by_char):
    if unit == "BYTE":
        return by_byte
    if unit == "UTF8_CHAR":
        return by_char
    raise ValueError(f"tf.strings: unit must be 'BYTE' or 'UTF8_CHAR', received {unit!r}")


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Numbers (or booleans) as strings; ``precision`` digits after the point for floats."""
    data = np.asarray(input.data if isinstance(input, Tensor) else input)

    def show(v):
        if data.dtype.kind == "f":
            text = f"{v:.{precision if precision >= 0 else 6}{'e' if scientific else 'f'}}"
        elif data.dtype.kind == "b":
            text = "true" if v else "false"
        else:
            text = str(v)
        return text.rjust(width, fill or " ").encode() if width > 0 else text.encode()

    out = np.empty(data.shape, dtype=object)
    out.reshape(-1)[:] = [show(v) for v in data.ravel()]
    return out.view(EagerArray)


def to_number(string_tensor, out_type=np.float32, name=None):
    """Parse each string as a number of ``out_type`` (float32 by default)."""
    dtype = _dtype(out_type)
    parse = float if dtype.kind == "f" else int

    def convert(v):
        try:
            return parse(v.decode("utf-8").strip())
        except ValueError:
            raise ValueError(f"tf.strings.to_number: cannot read {v!r} as {dtype}") from None

    values, _ = _values(string_tensor)
    out = np.array([convert(v) for v in values.ravel()], dtype=dtype).reshape(values.shape)
    return out.view(EagerArray)


def join(inputs, separator="", name=None):
    """Elementwise concatenation of a list of strings or string arrays (broadcast)."""
    parts = [_values(x)[0] for x in inputs]
    sep = _as_bytes(separator)
    joined = np.frompyfunc(lambda *p: sep.join(p), len(parts), 1)(*parts)
    kinds = [_values(x)[1] for x in inputs]
    return _give(joined, "array" if "array" in kinds else kinds[0])


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Join the strings along ``axis`` (all of them when None)."""
    values, kind = _values(inputs)
    sep = _as_bytes(separator)
    if axis is None:
        joined = np.array(sep.join(values.ravel()), dtype=object)
        return _give(joined.reshape((1,) * values.ndim) if keepdims else joined, kind)
    moved = np.moveaxis(values, axis, -1)
    out = np.empty(moved.shape[:-1], dtype=object)
    flat = out.reshape(-1)
    for i, row in enumerate(moved.reshape(-1, moved.shape[-1])):
        flat[i] = sep.join(row)
    if keepdims:
        out = np.expand_dims(out, axis)
    return _give(out, kind)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Words of each string (split on whitespace, or on ``sep``)."""
    s = None if sep is None else _as_bytes(sep)
    return _ragged(lambda v: v.split(s, maxsplit), input)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """The characters of each string, each as its UTF-8 bytes."""
    if input_encoding.upper().replace("-", "") != "UTF8":
        raise ValueError(f"unicode_split: saessak reads UTF-8 only, received "
                         f"{input_encoding!r}")
    return _ragged(lambda v: [c.encode("utf-8") for c in v.decode("utf-8", errors)], input)


def _ragged(pieces, x):
    values, kind = _values(x)
    rows = [pieces(v) for v in values.ravel()]

    def row_array(row):
        arr = np.empty(len(row), dtype=object)
        arr[:] = row
        return arr

    if values.ndim == 0:
        out = row_array(rows[0])
    elif len({len(r) for r in rows}) <= 1:  # a regular result: one more axis
        out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, r in enumerate(rows):
            out[i, :] = r
        out = out.reshape(values.shape + out.shape[1:])
    else:  # TensorFlow's RaggedTensor: rows of different lengths
        out = np.empty(len(rows), dtype=object)
        out[:] = [row_array(r).view(EagerArray) for r in rows]
        out = out.reshape(values.shape)
    if kind == "str" and values.ndim == 0:
        return [b.decode("utf-8") for b in out]
    return out.view(EagerArray)


strings = Namespace(
    "tf.strings", "tf.strings: text functions on str, bytes and arrays of strings",
    lower=lower, upper=upper, strip=strip, regex_replace=regex_replace, length=length,
    substr=substr, as_string=as_string, to_number=to_number, join=join,
    reduce_join=reduce_join, split=split, unicode_split=unicode_split)

"""How a layer call reads its arguments: inputs become Tensors in the layer's dtype, and a
positional argument after the inputs is named as ``call`` names it (``layer(x, True)``)."""

from __future__ import annotations

import inspect

from .. import backend
from ..autograd import Tensor
from ..ops import cast


def call_arguments(call) -> frozenset:
    params = inspect.signature(call).parameters
    return frozenset(params)


def positional_after_inputs(call) -> tuple:
    """The names of ``call``'s parameters that a positional argument after the inputs can
    fill, in order (up to a ``*args``)."""
    names = []
    for p in list(inspect.signature(call).parameters.values())[2:]:  # after self, inputs
        if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            break
        names.append(p.name)
    return tuple(names)


def map_structure(fn, structure):
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def to_tensors(inputs, dtype):
    """Data given to a layer becomes Tensors; float data takes the layer's dtype (as Keras
    casts inputs), integer data (token ids) stays integer."""

    def convert(x):
        if isinstance(x, Tensor):
            if x.dtype.kind == "f" and x.dtype != dtype:
                cast_x = cast(x, dtype)
                cast_x._keras_mask = x._keras_mask  # a cast keeps the padding mask
                return cast_x
            return x
        if x is None:
            return None
        arr = backend.asarray(x)
        if arr.dtype.kind == "f" and arr.dtype != dtype:
            arr = arr.astype(dtype)
        return Tensor(arr)

    return map_structure(convert, inputs)


def is_built_in(layer) -> bool:
    """Whether the layer computes with one of saessak's own ``call`` methods. Those take
    integer data as floats (as Keras's Dense and Conv cast it themselves); a user's ``call``
    gets integers as they are, as in Keras, which casts only float inputs (a custom
    embedding looks its ids up). A user's subclass of Dense keeps Dense's call, and casts."""
    return getattr(type(layer).call, "__module__", "").startswith("saessak.")

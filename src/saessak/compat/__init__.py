"""The TensorFlow names that Keras programs call, for ``import saessak.compat as tf`` (and,
re-exported, ``import saessak as tf``).

* the eager core: ``GradientTape``, ``Variable``, ``function``, ``constant``,
  ``convert_to_tensor``, ``TensorShape``, ``device``, ``config``, ``version``;
* array and math functions (``tf.reshape``, ``tf.gather``, ``tf.reduce_mean`` ...) and the
  ``tf.math``, ``tf.nn``, ``tf.random`` and ``tf.strings`` namespaces;
* the initializer aliases (``tf.random_normal_initializer`` ...).

They work on saessak Tensors and are differentiable where TensorFlow's are (they are
``saessak.ops`` ops). A name saessak does not provide raises an AttributeError that says so
and points to docs/compatibility.md, which lists what is provided and what is left out.
"""

from __future__ import annotations

import importlib
import types

from .. import initializers as _init
from ..autograd import Tensor
from ..ops.symbolic import record_placeholders_in as _record_placeholders_in
from ._namespace import COMPATIBILITY_DOC, Namespace, missing
from .gradient_tape import GradientTape
from .image_ops import image
from .math_ops import (
    abs,
    add,
    add_n,
    argmax,
    argmin,
    clip_by_value,
    cos,
    cumsum,
    divide,
    einsum,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    math,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    norm,
    not_equal,
    pow,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    round,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    squared_difference,
    subtract,
    tanh,
    tensordot,
    truediv,
)
from .nest import nest, tree
from .nn_ops import nn
from .random_ops import random
from .runtime import (
    TensorShape,
    TensorSpec,
    cond,
    config,
    custom_gradient,
    device,
    executing_eagerly,
    function,
    scan,
    version,
    while_loop,
)
from .strings import strings
from .tensors import (
    as_dtype,
    bool,
    bool_,
    boolean_mask,
    broadcast_to,
    cast,
    concat,
    constant,
    convert_to_tensor,
    double,
    expand_dims,
    eye,
    fill,
    float16,
    float32,
    float64,
    gather,
    gather_nd,
    half,
    identity,
    int8,
    int16,
    int32,
    int64,
    is_tensor,
    linspace,
    numpy_function,
    one_hot,
    ones,
    ones_like,
    pad,
    print,
    py_function,
    range,
    rank,
    reshape,
    reverse,
    shape,
    size,
    split,
    squeeze,
    stack,
    stop_gradient,
    string,
    tile,
    transpose,
    uint8,
    unstack,
    where,
    zeros,
    zeros_like,
)
from .variables import Module, Variable

# TensorFlow 2's initializer aliases (tf.keras.initializers under their tf.* names)
random_normal_initializer = _init.RandomNormal
random_uniform_initializer = _init.RandomUniform
truncated_normal_initializer = _init.TruncatedNormal
zeros_initializer = _init.Zeros
ones_initializer = _init.Ones
constant_initializer = _init.Constant
glorot_uniform_initializer = _init.GlorotUniform
glorot_normal_initializer = _init.GlorotNormal
variance_scaling_initializer = _init.VarianceScaling
orthogonal_initializer = _init.Orthogonal

newaxis = None


def map_fn(fn, elems, dtype=None, fn_output_signature=None, **kwargs):
    """``fn`` on each element along the first axis, the results stacked (eagerly)."""
    return stack([fn(e) for e in elems])


# tf.* functions on functional-model placeholders record themselves as layers, as keras.ops
# do (tf.concat([a, b], 1) in a tf.keras 2 model: TensorFlow's "TFOpLambda" layers)
_NOT_RECORDED = {"constant", "convert_to_tensor", "is_tensor", "shape", "rank", "size",
                 "cond", "while_loop", "map_fn", "scan", "custom_gradient", "function",
                 "device", "executing_eagerly",
                 "py_function", "numpy_function", "print", "as_dtype", "identity",
                 "stop_gradient", "zeros", "ones", "fill", "eye", "range", "linspace"}
for _namespace, _public in ((globals(), "tf"), (math, "tf.math"), (nn, "tf.nn"),
                            (image, "tf.image")):
    _record_placeholders_in(_namespace, "saessak.compat", _NOT_RECORDED, _public)
del _namespace, _public

__all__ = sorted(
    name for name, value in list(globals().items())
    if not name.startswith("_") and name not in {"annotations", "Namespace", "missing",
                                                  "COMPATIBILITY_DOC"}
    and (not isinstance(value, types.ModuleType) or isinstance(value, Namespace))
)

# Keras and TensorFlow modules that ``import saessak.compat as tf`` reaches as tf.X
_MODULES = {"keras": "saessak", "data": "saessak.data", "saved_model": "saessak.saved_model",
            "initializers": "saessak.initializers", "optimizers": "saessak.optimizers",
            "losses": "saessak.losses", "metrics": "saessak.metrics",
            "activations": "saessak.activations"}


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing(f"tf.{name}")

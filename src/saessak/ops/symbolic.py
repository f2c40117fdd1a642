"""``keras.ops`` on the placeholders of a functional model.

In Keras, ``x = keras.ops.concatenate([a, b], axis=-1)`` (or ``tf.concat``) on two
``keras.Input`` placeholders does not compute anything: it records the call as a layer of
the model, run when data flows. The public ops here do the same. The layers package owns
the placeholders (``KerasTensor``) and the recording; ops cannot import it (it sits below),
so layers registers both in :data:`SYMBOLIC` when it is imported.
"""

from __future__ import annotations

import functools
import types

# filled by saessak.layers.input_layer: the placeholder type, and
# record(name, fn, args, kwargs) -> the placeholders of the recorded call's outputs
SYMBOLIC = {"type": None, "record": None}


def _holds_placeholder(values, kind) -> bool:
    for value in values:
        t = type(value)
        if t is kind:
            return True
        if (t is list or t is tuple) and any(type(v) is kind for v in value):
            return True
    return False


def accepts_placeholders(fn, public_name=None):
    """``fn`` as it is, except that a call with a placeholder among its arguments (or in a
    list or tuple among them) is recorded as a layer of the functional model instead, which
    names the op by ``public_name`` (``'ops.mean'``, ``'tf.math.reduce_sum'``)."""
    name = public_name or fn.__name__

    @functools.wraps(fn)
    def op(*args, **kwargs):
        kind = SYMBOLIC["type"]
        if kind is not None and (_holds_placeholder(args, kind)
                                 or _holds_placeholder(kwargs.values(), kind)):
            return SYMBOLIC["record"](name, fn, args, kwargs)
        return fn(*args, **kwargs)

    op.__wrapped_op__ = fn
    return op


_WRAPPERS = {}  # id(function) -> its wrapper: aliases (silu and swish) stay one function


def record_placeholders_in(namespace, module_prefix, leave_out=(), public=None):
    """Put :func:`accepts_placeholders` around every public function of ``namespace`` (a
    module's ``globals()`` or a namespace object) defined under ``module_prefix``, except
    those named in ``leave_out``. ``public`` is the namespace's name for users (``'ops'``,
    ``'tf.math'``): a recorded call names its op ``public.<function>``."""
    is_dict = isinstance(namespace, dict)
    for name, value in list(namespace.items() if is_dict else vars(namespace).items()):
        if (isinstance(value, types.FunctionType) and not name.startswith("_")
                and name not in leave_out and value.__module__.startswith(module_prefix)
                and value.__module__ != __name__):  # not this module's own helpers
            if id(value) not in _WRAPPERS:
                _WRAPPERS[id(value)] = accepts_placeholders(
                    value, f"{public}.{name}" if public else None)
            if is_dict:
                namespace[name] = _WRAPPERS[id(value)]
            else:
                setattr(namespace, name, _WRAPPERS[id(value)])

"""``keras.ops`` on the placeholders of a functional model.

In Keras, ``x = keras.ops.concatenate([a, b], axis=-1)`` (or ``tf.concat``) on two
``keras.Input`` placeholders does not compute anything: it records the call as a layer of
the model, run when data flows. The public ops here do the same. The layers package owns
the placeholders (``KerasTensor``) and the recording; ops cannot import it (it sits below),
so layers registers both in :data:`SYMBOLIC` when it is imported.
"""

from __future__ import annotations

import functools

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


def accepts_placeholders(fn):
    """``fn`` as it is, except that a call with a placeholder among its arguments (or in a
    list or tuple among them) is recorded as a layer of the functional model instead."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        kind = SYMBOLIC["type"]
        if kind is not None and (_holds_placeholder(args, kind)
                                 or _holds_placeholder(kwargs.values(), kind)):
            return SYMBOLIC["record"](fn.__name__, fn, args, kwargs)
        return fn(*args, **kwargs)

    op.__wrapped_op__ = fn
    return op

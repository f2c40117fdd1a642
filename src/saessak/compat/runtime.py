"""The parts of TensorFlow's runtime that Keras programs touch: ``tf.function``,
``tf.device``, ``tf.TensorShape``, ``tf.config`` and ``tf.version``.

saessak always runs eagerly on one device chosen by ``saessak.backend``, so these keep the
programs running and say honestly what they do: ``tf.function`` calls the Python function
as it is, ``tf.device`` changes nothing, ``tf.config`` lists the CPU (and a GPU when CuPy
is in use).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from .. import _threads, backend, ops
from ..autograd import Tensor
from ._namespace import Namespace


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_compile=None, **kwargs):
    """``@tf.function``, with or without arguments: the function runs eagerly, unchanged.

    TensorFlow traces it into a graph for speed; saessak has no graphs, so the decorator
    only keeps programs that use it running (its arguments are accepted and ignored)."""
    if func is None:
        return functools.partial(function, input_signature=input_signature,
                                 jit_compile=jit_compile, reduce_retracing=reduce_retracing)

    @functools.wraps(func)
    def run_eagerly(*args, **kw):
        return func(*args, **kw)

    run_eagerly.python_function = func
    return run_eagerly


def executing_eagerly() -> bool:
    return True


class device:
    """``with tf.device("/CPU:0"):`` accepted and ignored: saessak's device is global
    (``saessak.backend.set_device``)."""

    def __init__(self, device_name):
        if not isinstance(device_name, str):
            raise TypeError(f"device: expected a device name such as '/CPU:0', received "
                            f"{type(device_name).__name__}")
        self.name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TensorShape:
    """A shape whose dimensions may be None: ``as_list()``, ``rank``, indexing, equality."""

    def __init__(self, dims):
        if isinstance(dims, TensorShape):
            dims = dims.dims
        self.dims = None if dims is None else [None if d is None else int(d) for d in dims]

    @property
    def rank(self):
        return None if self.dims is None else len(self.dims)

    ndims = rank

    def as_list(self) -> list:
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape")
        return list(self.dims)

    def is_fully_defined(self) -> bool:
        return self.dims is not None and None not in self.dims

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self.dims:
            n *= d
        return n

    def concatenate(self, other) -> TensorShape:
        return TensorShape(self.as_list() + TensorShape(other).as_list())

    def __len__(self):
        return len(self.as_list())

    def __iter__(self):
        return iter(self.as_list())

    def __getitem__(self, key):
        got = self.as_list()[key]
        return TensorShape(got) if isinstance(key, slice) else got

    def __eq__(self, other):
        try:
            return self.dims == TensorShape(other).dims
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(None if self.dims is None else tuple(self.dims))

    def __repr__(self):
        return f"TensorShape({self.dims})"


# TensorFlow code asks a tensor for ``x.get_shape().as_list()``; saessak's ``x.shape`` is a tuple
Tensor.get_shape = lambda self: TensorShape(self.shape)


@dataclass(frozen=True)
class PhysicalDevice:
    name: str
    device_type: str


class TensorSpec:
    """``tf.TensorSpec(shape, dtype)``: a description of a tensor (for ``input_signature``)."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape, self.dtype, self.name = TensorShape(shape), dtype, name

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name={self.name!r})"


def _list_physical_devices(device_type=None):
    found = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if backend.gpu_available():
        found.append(PhysicalDevice("/physical_device:GPU:0", "GPU"))
    return [d for d in found if device_type is None or d.device_type == device_type.upper()]


def _intra_op_threads(num_threads):
    """``tf.config.threading.set_intra_op_parallelism_threads``: the threads of saessak's math
    (0: TensorFlow's "system default", every core)."""
    _threads.set_num_threads(num_threads or os.cpu_count() or 1)


def _accept(*args, **kwargs):
    """Accepted and ignored: saessak has no such runtime setting."""
    return None


_experimental = Namespace(
    "tf.config.experimental", "memory growth and device settings (accepted, ignored)",
    set_memory_growth=_accept, get_memory_growth=lambda device: True,
    list_physical_devices=_list_physical_devices, set_visible_devices=_accept,
    enable_op_determinism=_accept, set_synchronous_execution=_accept)

config = Namespace(
    "tf.config", "tf.config: the devices saessak sees; placement settings accepted and ignored",
    list_physical_devices=_list_physical_devices, list_logical_devices=_list_physical_devices,
    get_visible_devices=_list_physical_devices, set_visible_devices=_accept,
    set_logical_device_configuration=_accept, set_soft_device_placement=_accept,
    run_functions_eagerly=_accept, functions_run_eagerly=lambda: True,
    experimental=_experimental,
    threading=Namespace("tf.config.threading", "thread settings: intra-op sets the threads of "
                        "saessak's math; inter-op is accepted and ignored (one op runs at a "
                        "time)",
                        set_inter_op_parallelism_threads=_accept,
                        get_inter_op_parallelism_threads=lambda: 1,
                        set_intra_op_parallelism_threads=_intra_op_threads,
                        get_intra_op_parallelism_threads=_threads.get_num_threads),
    set_num_threads=_threads.set_num_threads, get_num_threads=_threads.get_num_threads,
    optimizer=Namespace("tf.config.optimizer", "graph optimizer settings (ignored)",
                        set_jit=_accept, set_experimental_options=_accept))

# The TensorFlow API level that saessak follows, with saessak's own name as a local label.
VERSION = "2.16.0+saessak"
version = Namespace("tf.version", "tf.version.VERSION", VERSION=VERSION, GIT_VERSION="saessak",
                    COMPILER_VERSION="none")


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``tf.cond``: calls one of the two functions (eagerly, so only that one runs)."""
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond, body, loop_vars, maximum_iterations=None, **kwargs):
    """``tf.while_loop``: a Python while loop over ``loop_vars`` (a list or tuple)."""
    single = not isinstance(loop_vars, (list, tuple))
    state = [loop_vars] if single else list(loop_vars)
    steps = 0
    while bool(cond(*state)) and (maximum_iterations is None or steps < maximum_iterations):
        out = body(*state)
        state = [out] if single or not isinstance(out, (list, tuple)) else list(out)
        steps += 1
    return state[0] if single else type(loop_vars)(state)


def scan(fn, elems, initializer=None, parallel_iterations=None, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """``tf.scan``: ``a = fn(a, x)`` for each ``x`` along the first axis of ``elems``, the
    accumulators stacked (differentiable, through ``keras.ops.scan``). Without an
    ``initializer`` the first element (the last, with ``reverse``) starts the accumulator
    and is the first output."""
    def step(a, x):
        a = fn(a, x)
        return a, a

    elems = ops.convert_to_tensor(elems)
    if initializer is not None:
        return ops.scan(step, initializer, elems, reverse=reverse)[1]
    n = elems.shape[0]
    start, rest = (elems[n - 1], elems[:n - 1]) if reverse else (elems[0], elems[1:])
    if n == 1:
        return ops.expand_dims(start, 0)
    outputs = ops.scan(step, start, rest, reverse=reverse)[1]
    first = ops.expand_dims(start, 0)
    return ops.concatenate([outputs, first] if reverse else [first, outputs], axis=0)


def custom_gradient(f=None):
    """``@tf.custom_gradient``: ``f`` returns ``(y, grad)``; ``grad(upstream)`` gives the
    inputs' gradients (``keras.ops.custom_gradient``)."""
    return ops.custom_gradient(f)

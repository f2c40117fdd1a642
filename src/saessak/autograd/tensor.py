"""Reverse-mode automatic differentiation: the Tensor, the Function and backward().

A Tensor wraps an array. When a Function is applied to Tensors that require gradients,
its output remembers the Function (its "node"), and the node remembers its inputs. That
chain of nodes is the graph; ``backward()`` walks it in reverse topological order, calling
each node's ``backward`` to turn the gradient of its output into gradients of its inputs
(the chain rule), and adds up the gradients that arrive at each leaf.
"""

from __future__ import annotations

import numpy as np

from .. import backend

_grad_enabled = True


def is_grad_enabled() -> bool:
    return _grad_enabled


class no_grad:
    """Context manager (and decorator) that records no graph: for inference and updates."""

    def __enter__(self):
        global _grad_enabled
        self.previous = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper


class enable_grad(no_grad):
    """Turns graph recording back on inside a ``no_grad`` block."""

    def __enter__(self):
        global _grad_enabled
        self.previous = _grad_enabled
        _grad_enabled = True


def _to_array(value, dtype=None):
    """``value`` as a backend array. Python floats and lists of them take the default float
    (float32); arrays keep their dtype unless ``dtype`` says otherwise."""
    if isinstance(value, Tensor):
        value = value.data
    xp = backend.xp() if backend.device() == "gpu" else backend.get_array_module(value)
    if dtype is None and not hasattr(value, "dtype"):
        arr = xp.asarray(value)
        return arr.astype(backend.floatx()) if arr.dtype.kind == "f" else arr
    return xp.asarray(value, dtype=dtype)


class Tensor:
    """An array with an optional gradient and a link to the op that produced it.

    Its operators and NumPy-style methods (``+``, ``@``, ``x[i]``, ``x.T``, ``x.sum()`` ...)
    are installed by :mod:`saessak.ops`, in one table (``_install_tensor_methods``): the
    engine itself knows no particular op.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    # _lookup, set only by an embedding lookup (saessak.ops.embedding), stays unset elsewhere
    __slots__ = ("data", "grad", "requires_grad", "_node", "_index", "name", "_keras_mask",
                 "_lookup", "__weakref__")
    __array_priority__ = 1000  # ndarray + Tensor calls Tensor.__radd__
    __array_ufunc__ = None  # ...and NumPy ufuncs never swallow a Tensor

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _to_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._node = None  # the Function that produced this tensor (None for leaves)
        self._index = 0  # which output of that Function
        self.name = name
        self._keras_mask = None  # a (batch, time) boolean mask set by sequence layers

    # --- array-like view ----------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)
    is_leaf = property(lambda self: self._node is None)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(backend.to_numpy(self.data), separator=", ", prefix="Tensor(")
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}, dtype={self.dtype}{grad})"

    def numpy(self):
        """The values as a NumPy array (copied off the GPU when needed); a 0-d tensor gives
        a NumPy scalar, as TensorFlow's ``.numpy()`` does (hashable: ``labels[t.numpy()]``)."""
        a = backend.to_numpy(self.data)
        return a[()] if a.ndim == 0 else a

    def __array__(self, dtype=None, copy=None):
        a = backend.to_numpy(self.data)
        return a if dtype is None else a.astype(dtype)

    def item(self):
        return self.data.item()

    def tolist(self):
        return self.numpy().tolist()

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __hash__(self):
        return id(self)

    # --- graph handling -------------------------------------------------------------------
    def detach(self) -> Tensor:
        """The same values, cut off from the graph (shares memory, like PyTorch)."""
        t = Tensor.__new__(Tensor)
        t.data, t.grad, t.requires_grad, t._node, t._index, t.name, t._keras_mask = (
            self.data, None, False, None, 0, self.name, self._keras_mask)
        return t

    def requires_grad_(self, flag: bool = True) -> Tensor:
        self.requires_grad = bool(flag)
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def assign(self, value) -> Tensor:
        """Overwrite the values in place (like ``tf.Variable.assign``), keeping the dtype."""
        value = value.data if isinstance(value, Tensor) else value
        if np.shape(value) != self.shape:
            raise ValueError(f"assign: expected shape {self.shape}, received {np.shape(value)}")
        self.data[...] = value
        return self

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires it."""
        backward(self, grad, retain_graph)


class Function:
    """One differentiable op. Subclasses write ``forward`` and ``backward`` side by side.

    ``forward(*arrays)`` gets plain arrays and returns an array (or a tuple of arrays); it
    saves on ``self`` whatever ``backward`` needs. ``backward(*grads)`` gets the gradient of
    each output and returns one gradient per input (``None`` where there is none). It may
    return gradients of a broadcast shape: the engine sums them back to each input's shape.

    For gradients of gradients an op may also give ``backward_ops(*grads)``, its backward
    written with ops on Tensors, or ``composite(*inputs)``, its forward written with simpler
    ops (see :mod:`saessak.ops.gradients`).
    """

    inputs: tuple = ()
    backward_ops = None  # or a method: the backward in recorded ops (Tensors in and out)
    composite = None  # or a method: the forward again, in simpler recorded ops
    n_outputs = 1
    freed = False  # set once backward has released this node's buffers
    # whether this call records a node (some input wants a gradient and recording is on):
    # forward may skip keeping what only backward needs when it does not
    recording = True
    # set by a gradient walk that will use only some inputs' gradients: one flag per input
    wanted = None

    def __call__(self, *inputs):
        # This runs for every op, so it is written for speed: one pass over the inputs.
        arrays, dtype, needs_grad, raw = [], None, False, False
        for x in inputs:
            if isinstance(x, Tensor):
                data = x.data
                dt = data.dtype
                if dtype is None:
                    if dt.kind == "f":
                        dtype = dt
                elif dt is not dtype and dt.kind == "f" and dt != dtype:
                    raise TypeError(
                        f"{type(self).__name__}: cannot mix {dtype} and {dt} tensors; "
                        "cast one of them first (Tensor.astype)")
                needs_grad = needs_grad or x.requires_grad
                arrays.append(data)
            else:
                raw = True
                arrays.append(x)
        if raw:  # plain arrays and numbers join the tensors' dtype
            arrays = [a if isinstance(x, Tensor) else _coerce(a, dtype)
                      for x, a in zip(inputs, arrays)]
            _check_devices(self, arrays)
        self.recording = needs_grad = needs_grad and _grad_enabled
        outputs = self.forward(*arrays)
        if needs_grad:
            self.inputs = tuple(x if isinstance(x, Tensor) else None for x in inputs) \
                if raw else inputs
        if self.n_outputs == 1:
            return _wrap(outputs, needs_grad, self, 0)
        if needs_grad:
            self.out_meta = tuple((o.shape, o.dtype) for o in outputs)
        return tuple(_wrap(o, needs_grad, self, i) for i, o in enumerate(outputs))

    def needs_input_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient: backward may skip the work when not."""
        x = self.inputs[i] if i < len(self.inputs) else None
        return x is not None and x.requires_grad and (self.wanted is None or self.wanted[i])

    def wanted_grads(self) -> tuple:
        """``needs_input_grad`` of the first two inputs (for a bilinear op's gradients)."""
        return self.needs_input_grad(0), self.needs_input_grad(1)

    def input_or_saved(self, i: int, saved):
        """Input ``i`` for ``backward_ops``: the recorded Tensor, or (where a plain array or
        number came in, so no Tensor was kept) the value ``saved``, a constant."""
        x = self.inputs[i] if i < len(self.inputs) else None
        return x if x is not None else saved

    def forward(self, *xs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, *grads):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} is not differentiable")


def _wrap(array, needs_grad, node, index):
    t = Tensor.__new__(Tensor)
    t.data, t.grad, t.name, t._keras_mask = array, None, None, None
    if needs_grad:
        t.requires_grad, t._node, t._index = True, node, index
    else:
        t.requires_grad, t._node, t._index = False, None, 0
    return t


def _coerce(value, dtype):
    """A non-Tensor operand as an array: floats take the dtype of the tensors beside it."""
    if isinstance(value, (int, float, bool)) and not isinstance(value, np.generic):
        return value  # NumPy's weak scalar promotion keeps the tensor's dtype
    xp = backend.get_array_module(value)
    arr = xp.asarray(value)
    if arr.dtype.kind == "f" and dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    elif arr.dtype.kind == "f" and dtype is None and arr.dtype == np.float64:
        arr = arr.astype(backend.floatx())
    return arr


def _check_devices(fn, arrays):
    if backend._cupy is None:
        return
    kinds = {type(a) for a in arrays if hasattr(a, "shape") and not isinstance(a, np.generic)}
    if len(kinds) > 1:
        raise TypeError(f"{type(fn).__name__}: inputs live on different devices ({kinds}); "
                        "move them to one device first")


def stretched_axes(grad_shape, shape) -> tuple:
    """The axes of ``grad_shape`` that broadcasting added or stretched from ``shape``."""
    lead = len(grad_shape) - len(shape)
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad_shape[lead + i] != 1)


def sum_to_shape(grad, shape):
    """Undo broadcasting: sum ``grad`` over the axes that were stretched to reach its shape."""
    if grad.shape == shape:
        return grad
    grad = grad.sum(axis=stretched_axes(grad.shape, shape), keepdims=True)
    if grad.ndim != len(shape):
        grad = grad.reshape(shape)
    return grad


def _topological_order(root_node):
    """Nodes from the root back to the leaves, each after every node that consumes it."""
    order, seen = [], set()
    stack = [(root_node, False)]
    while stack:  # iterative post-order DFS: deep graphs never touch the recursion limit
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:  # pushed twice (two consumers): placed by the first visit
            continue
        # Mark a node when it is expanded, not when pushed: marking on push let a producer
        # shared by two branches finish before one of its consumers (wrong gradients).
        seen.add(node)
        stack.append((node, True))
        for x in node.inputs:  # a freed node has no inputs left
            parent = None if x is None else x._node
            if parent is not None and parent not in seen:
                stack.append((parent, False))
    order.reverse()
    return order


def backward(tensor: Tensor, grad=None, retain_graph: bool = False) -> None:
    if not tensor.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad (no input of the "
                           "ops that made it had requires_grad=True)")
    if grad is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"backward: a gradient can only be created implicitly for a scalar; this "
                f"tensor has shape {tensor.shape}, so pass grad= with that shape")
        # d(self)/d(self) = 1; xp.array is one C call, where xp.ones is a Python function
        grad = backend.get_array_module(tensor.data).array(1, tensor.data.dtype).reshape(
            tensor.data.shape)
    else:
        grad = _to_array(grad, tensor.dtype)
        if grad.shape != tensor.shape:
            raise ValueError(f"backward: expected grad of shape {tensor.shape}, "
                             f"received {grad.shape}")
    if tensor._node is None:  # a leaf
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        return
    if tensor._node.freed:
        raise RuntimeError("backward: the graph was already freed by an earlier backward(); "
                           "pass retain_graph=True to the first call to go through it twice")

    # the gradients that reached each node's outputs: {node: g} for a node with one output,
    # {(node, i): g} for output i of a node with several
    grads = {_key(tensor._node, tensor._index): grad}
    for node in _topological_order(tensor._node):
        if node.n_outputs == 1:
            g = grads.pop(node, None)
            out_grads = None if g is None else (g,)
        else:
            out_grads = _output_grads(node, grads)
        if out_grads is not None:
            if node.freed:
                raise RuntimeError(
                    f"backward: {type(node).__name__}, part of this graph, was already freed "
                    "by an earlier backward(); pass retain_graph=True to that call to go "
                    "through its ops again")
            in_grads = node.backward(*out_grads)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            for x, g in zip(node.inputs, in_grads):
                if g is None or x is None or not x.requires_grad:
                    continue
                data = x.data
                if g.shape != data.shape:
                    g = sum_to_shape(g, data.shape)
                if x._node is None:  # a leaf: accumulate where the user can read it
                    if g.dtype is not data.dtype and g.dtype != data.dtype:
                        g = g.astype(data.dtype)
                    x.grad = g if x.grad is None else x.grad + g
                else:
                    key = _key(x._node, x._index)
                    prev = grads.get(key)
                    grads[key] = g if prev is None else prev + g
        if not retain_graph:
            # Drop the inputs and every saved array now: backward will not need them again.
            node.__dict__.clear()
            node.freed = True


def _key(node, index):
    """Where backward files the gradient of output ``index`` of ``node``."""
    return node if node.n_outputs == 1 else (node, index)


def _output_grads(node, grads):
    """The gradients that reached each output of a multi-output node (zeros where an
    output was not used), or None when none of them was used."""
    out = [grads.pop((node, i), None) for i in range(node.n_outputs)]
    if all(g is None for g in out):
        return None
    xp = backend.xp()
    return [g if g is not None else xp.zeros(shape, dtype)
            for g, (shape, dtype) in zip(out, node.out_meta)]

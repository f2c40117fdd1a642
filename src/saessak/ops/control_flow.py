"""Keras 3's functional control flow (``keras.ops.scan``, ``associative_scan``, ``map``,
``switch``, ``vectorize``, ``custom_gradient``) and two array functions beside it, ``isin``
and ``cdist``.

saessak runs eagerly, so each loop here is a Python loop that calls the user's function on
Tensors. Every call records its ops as usual; the slices come from one ``unstack`` and the
results are joined with ``stack``, so gradients flow back through every step. Carries,
inputs and outputs may be nested lists, tuples and dicts of tensors (``keras.tree``
structures).
"""

from __future__ import annotations

import builtins
import functools
import inspect
import re

import numpy as np

from .. import _nest as tree
from .. import backend
from ..autograd.tensor import Function, Tensor, no_grad
from .arrays import unstack
from .dtypes import common_tensors
from .keras_names import convert_to_numpy, convert_to_tensor, flip
from .manipulation import broadcast_to, concatenate, gather, getitem, reshape, stack, where
from .math import abs as magnitude
from .reduction import sum as _sum


def _leading_length(leaves, owner, axis=0):
    """The common length of ``leaves`` along ``axis``."""
    lengths = {leaf.shape[axis] for leaf in leaves}
    if len(lengths) != 1:
        raise ValueError(f"{owner}: every input needs the same length along axis {axis}; "
                         f"received shapes {[tuple(leaf.shape) for leaf in leaves]}")
    return lengths.pop()


def _stack_steps(ys, owner):
    """One structure of stacked tensors from a list of per-step structures (None if the
    steps gave None)."""
    if not ys:
        raise ValueError(f"{owner}: there is no step to run (length 0)")
    if all(y is None for y in ys):
        return None
    return tree.map_structure(lambda *leaves: stack([convert_to_tensor(v) for v in leaves]),
                                 *ys)


# --- loops -------------------------------------------------------------------------------------
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs`` (or ``length`` times
    with ``x = None``); returns the last carry and the ys stacked. ``reverse`` runs from the
    end, and each y keeps the position of its x. ``unroll`` is accepted and checked, as in
    Keras; an eager loop has nothing to unroll."""
    if not callable(f):
        raise TypeError(f"scan: f must be callable, received {f!r}")
    if not isinstance(unroll, bool) and not (isinstance(unroll, int) and unroll >= 1):
        raise ValueError(f"scan: unroll must be a positive int or a bool, received {unroll!r}")
    if xs is None:
        if length is None:
            raise ValueError("scan: give xs to scan over, or length")
        n, steps = int(length), None
    else:
        leaves = [convert_to_tensor(x) for x in tree.flatten(xs)]
        n = _leading_length(leaves, "scan")
        if length is not None and int(length) != n:
            raise ValueError(f"scan: length={length} but xs have {n} steps")
        columns = [unstack(x) for x in leaves]  # one Split per input, not n slices
        steps = [tree.pack_sequence_as(xs, [c[i] for c in columns]) for i in range(n)]
    carry = tree.map_structure(convert_to_tensor, init)
    ys = [None] * n
    for i in (reversed(range(n)) if reverse else range(n)):
        carry, ys[i] = f(carry, None if steps is None else steps[i])
    return carry, _stack_steps(ys, "scan")


def map(f, xs):  # noqa: A001 - Keras's name
    """``f`` on each slice of ``xs`` along the leading axis, the results stacked."""
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def _along(x, axis, start, stop, step=1):
    """``x`` sliced from ``start`` to ``stop`` along ``axis`` (differentiable)."""
    return getitem(x, (builtins.slice(None),) * axis + (builtins.slice(start, stop, step),))


def _interleave(evens, odds, axis):
    """e0, o0, e1, o1, ... along ``axis`` (``evens`` may hold one more than ``odds``)."""
    n_even, n_odd = evens.shape[axis], odds.shape[axis]
    order = np.empty(n_even + n_odd, dtype=np.int64)
    order[0::2] = np.arange(n_even)
    order[1::2] = n_even + np.arange(n_odd)
    return gather(concatenate([evens, odds], axis), order, axis)


def _prefix(combine, elems, axis):
    """Inclusive prefix combinations of the flat ``elems`` along ``axis``, in about
    2 log2(n) calls of ``combine`` on whole slices:

    - combine neighbours (0,1), (2,3), ...: their prefixes are the results at 1, 3, 5 ...;
    - the result at 2k (k >= 1) is combine(result at 2k-1, element 2k); at 0, element 0."""
    n = elems[0].shape[axis]
    if n < 2:
        return elems
    pairs = combine([_along(e, axis, 0, n - 1, 2) for e in elems],
                    [_along(e, axis, 1, None, 2) for e in elems])
    odds = _prefix(combine, pairs, axis)
    firsts = [_along(e, axis, 0, 1) for e in elems]
    k = (n - 1) // 2  # how many even positions after the first
    if k:
        later = combine([_along(o, axis, 0, k) for o in odds],
                        [_along(e, axis, 2, None, 2) for e in elems])
        evens = [concatenate([a, b], axis) for a, b in zip(firsts, later)]
    else:
        evens = firsts
    return [_interleave(e, o, axis) for e, o in zip(evens, odds)]


def associative_scan(f, elems, reverse=False, axis=0):
    """``[a, f(a, b), f(f(a, b), c), ...]`` along ``axis`` for an associative ``f``, which
    is applied to whole slices (it must work elementwise along ``axis``). Log-depth: about
    2 log2(n) calls of ``f``; gradients flow through its ops."""
    if not callable(f):
        raise TypeError(f"associative_scan: f must be callable, received {f!r}")
    leaves = [convert_to_tensor(e) for e in tree.flatten(elems)]
    axis = axis % leaves[0].ndim
    _leading_length(leaves, "associative_scan", axis)
    if reverse:
        leaves = [flip(e, axis) for e in leaves]

    def combine(a, b):
        c = f(tree.pack_sequence_as(elems, a), tree.pack_sequence_as(elems, b))
        return [convert_to_tensor(v) for v in tree.flatten(c)]

    result = _prefix(combine, leaves, axis)
    if reverse:
        result = [flip(r, axis) for r in result]
    return tree.pack_sequence_as(elems, result)


def switch(index, branches, *operands):
    """``branches[index](*operands)``, with ``index`` clamped into range as Keras does."""
    if not branches:
        raise ValueError("switch: branches is empty")
    i = int(np.clip(int(convert_to_numpy(index)), 0, len(branches) - 1))
    return branches[i](*operands)


# --- vectorize -----------------------------------------------------------------------------
_CORE = r"\((?:\w+(?:,\w+)*)?\)"


def _parse_signature(signature):
    """``"(m,n),(n)->(m)"`` -> ([("m", "n"), ("n",)], [("m",)])."""
    text = re.sub(r"\s", "", signature)
    if not re.fullmatch(rf"{_CORE}(?:,{_CORE})*->{_CORE}(?:,{_CORE})*", text):
        raise ValueError(f"vectorize: not a valid signature: {signature!r}")
    return tuple([tuple(d for d in group.split(",") if d)
                  for group in re.findall(r"\(([^()]*)\)", side)]
                 for side in text.split("->"))


def _bind(sizes, names, shape, owner):
    """Record the size of each core dimension, checking it against earlier ones."""
    for name, size in zip(names, shape):
        if sizes.setdefault(name, size) != size:
            raise ValueError(f"{owner}: core dimension {name!r} has size {size} here and "
                             f"{sizes[name]} elsewhere")


def vectorize(pyfunc, *, excluded=None, signature=None):
    """A function that maps ``pyfunc`` over the broadcast leading (loop) axes of its
    arguments, NumPy's ``np.vectorize``: without a ``signature`` each call gets scalars;
    with one, such as ``"(m,n),(n)->(m)"``, the trailing core axes of each argument. Positional
    arguments listed in ``excluded`` (and keyword arguments) are passed through unchanged.
    The results are stacked, so gradients flow through every call."""
    if not callable(pyfunc):
        raise ValueError(f"vectorize: pyfunc must be callable, received {pyfunc!r}")
    excluded = set(excluded or ())
    cores_in, cores_out = _parse_signature(signature) if signature is not None else (None, None)

    @functools.wraps(pyfunc)
    def vectorized(*args, **kwargs):
        moving = [i for i, a in enumerate(args) if i not in excluded and a is not None]
        tensors = [convert_to_tensor(args[i]) for i in moving]
        cores = cores_in if cores_in is not None else [()] * len(tensors)
        if len(cores) != len(tensors):
            raise TypeError(f"vectorize: the signature takes {len(cores)} arguments, "
                            f"received {len(tensors)}")
        sizes, loops = {}, []
        for t, core in zip(tensors, cores):
            if t.ndim < len(core):
                raise ValueError(f"vectorize: an argument of shape {tuple(t.shape)} has fewer "
                                 f"axes than its core dimensions {core}")
            _bind(sizes, core, t.shape[t.ndim - len(core):], "vectorize")
            loops.append(tuple(t.shape[:t.ndim - len(core)]))
        loop = tuple(np.broadcast_shapes(*loops)) if loops else ()
        count = int(np.prod(loop))
        if count == 0:
            raise ValueError("vectorize: there is no element to call pyfunc on")
        rows = []  # each argument as `count` slices, from one unstack
        for t, core in zip(tensors, cores):
            core_shape = tuple(t.shape[t.ndim - len(core):])
            if tuple(t.shape) != loop + core_shape:
                t = broadcast_to(t, loop + core_shape)
            rows.append(unstack(reshape(t, (count,) + core_shape)))
        results = []
        for k in range(count):
            call = list(args)
            for i, r in zip(moving, rows):
                call[i] = r[k]
            results.append(pyfunc(*call, **kwargs))
        single = not isinstance(results[0], tuple)
        outputs = [[convert_to_tensor(v) for v in ((r,) if single else r)] for r in results]
        if cores_out is not None:
            if len(outputs[0]) != len(cores_out):
                raise TypeError(f"vectorize: the signature gives {len(cores_out)} outputs, "
                                f"pyfunc returned {len(outputs[0])}")
            for out, core in zip(outputs[0], cores_out):
                if out.ndim != len(core):
                    raise ValueError(f"vectorize: an output of shape {tuple(out.shape)} does "
                                     f"not match its core dimensions {core}")
                _bind(sizes, core, out.shape, "vectorize")
        stacked = tuple(reshape(stack(list(column)), loop + tuple(column[0].shape))
                        for column in zip(*outputs))
        return stacked[0] if single else stacked

    return vectorized


# --- custom gradients -----------------------------------------------------------------------
def _call_grad_fn(grad_fn, args, upstream):
    """Call ``grad_fn`` as TensorFlow and JAX do, ``grad_fn(*upstream)``; a grad_fn written
    for PyTorch, whose ``upstream`` is a keyword-only argument without a default, gets
    ``grad_fn(*args, upstream=...)``. (Keras's portable form, ``def grad(*args,
    upstream=None)``, takes either call.)"""
    try:
        param = inspect.signature(grad_fn).parameters.get("upstream")
    except (TypeError, ValueError):
        param = None
    if param is not None and param.kind is param.KEYWORD_ONLY and param.default is param.empty:
        return grad_fn(*args, upstream=upstream[0] if len(upstream) == 1 else tuple(upstream))
    return grad_fn(*upstream)


class CustomGradient(Function):
    """``f(*args)`` returns ``(output, grad_fn)``: the forward keeps f's outputs (its own
    ops are not recorded) and the backward asks ``grad_fn`` for the inputs' gradients,
    one per (flattened) argument; only the Tensor arguments receive theirs."""

    def __init__(self, f, leaves, slots, structure, kwargs):
        self.f, self.leaves, self.slots = f, leaves, slots
        self.structure, self.kwargs = structure, kwargs

    def forward(self, *arrays):
        leaves = list(self.leaves)
        for slot, a in zip(self.slots, arrays):
            leaves[slot] = Tensor(a)  # a fresh leaf: f's own graph is not kept
        self.args = tree.pack_sequence_as(self.structure, leaves)
        with no_grad():
            output, self.grad_fn = self.f(*self.args, **self.kwargs)
        self.output = output
        flat = [convert_to_tensor(o).data for o in tree.flatten(output)]
        self.n_outputs = len(flat)
        return tuple(flat) if len(flat) > 1 else flat[0]

    def backward(self, *grads):
        with no_grad():
            result = _call_grad_fn(self.grad_fn, self.args, [Tensor(g) for g in grads])
        flat = tree.flatten(result)
        if len(flat) != len(self.leaves):
            raise ValueError(f"custom_gradient: grad_fn returned {len(flat)} gradients for "
                             f"{len(self.leaves)} arguments")
        return tuple(None if flat[s] is None else convert_to_tensor(flat[s]).data
                     for s in self.slots)


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``, and the decorated function
    returns ``output`` with the gradients ``grad_fn`` gives (see :func:`_call_grad_fn` for
    how it is called). Gradients reach the Tensor arguments only, not variables that ``f``
    reads from outside."""

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        leaves = tree.flatten(list(args))
        slots = [i for i, a in enumerate(leaves) if isinstance(a, Tensor)]
        node = CustomGradient(f, leaves, slots, list(args), kwargs)
        out = node(*(leaves[i] for i in slots))
        flat = list(out) if node.n_outputs > 1 else [out]
        return tree.pack_sequence_as(node.output, flat)

    return decorated


# --- membership and distances --------------------------------------------------------------
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of ``x1`` occurs in ``x2`` (booleans, no gradient)."""
    return Tensor(np.isin(convert_to_numpy(x1), convert_to_numpy(x2),
                          assume_unique=assume_unique, invert=invert))


class Cdist(Function):
    """D[..., i, j] = (sum_k |d_k|^p)^(1/p) with d = x[..., i, :] - y[..., j, :].

    dD/dd_k = sign(d_k) (|d_k| / D)^(p-1)  (d_k / D for p = 2), and 0 where d_k = 0 (so
    also where D = 0: the distance's kink gets the zero subgradient, not NaN); for
    p = inf, D = max_k |d_k| and the gradient goes to the first largest |d_k|; p = 0
    counts the differing coordinates and has no gradient. Then dx = sum_j g dD/dd and
    dy = -sum_i g dD/dd."""

    def __init__(self, p):
        self.p = p

    def forward(self, x, y):
        d = x[..., :, None, :] - y[..., None, :, :]
        p = self.p
        if p == 2:
            dist = np.sqrt(np.sum(d * d, axis=-1))
        elif p == np.inf:
            dist = np.max(np.abs(d), axis=-1)
        elif p == 0:
            dist = np.sum(d != 0, axis=-1).astype(d.dtype)
        else:
            dist = np.sum(np.abs(d) ** p, axis=-1) ** (1 / p)
        if self.recording:
            self.d, self.dist = d, dist
            self.x, self.y = x, y  # references, for backward_ops
        return dist

    def backward(self, g):
        d, p = self.d, self.p
        if p == 0:
            return None, None
        if p == np.inf:
            first = np.argmax(np.abs(d), axis=-1)[..., None]
            dd = np.sign(d) * (backend.get_array_module(d).arange(d.shape[-1]) == first)
        else:
            safe = np.where(self.dist > 0, self.dist, 1)[..., None]
            ratio = np.where(d != 0, np.abs(d) / safe, 1)  # 1 keeps 0 ** (p - 1) away
            dd = np.sign(d) * ratio ** (p - 1)
        gd = g[..., None] * dd
        return gd.sum(axis=-2), -gd.sum(axis=-3)

    def backward_ops(self, g):  # the same rule, recorded; its masks are constants
        d, p = self.d, self.p
        if p == 0:
            return None, None
        if p == np.inf:  # piecewise linear: dd is a constant
            first = np.argmax(np.abs(d), axis=-1)[..., None]
            dd = np.sign(d) * (backend.get_array_module(d).arange(d.shape[-1]) == first)
        else:
            x, y = self.input_or_saved(0, self.x), self.input_or_saved(1, self.y)
            diff = reshape(x, x.shape[:-1] + (1, x.shape[-1])) - reshape(
                y, y.shape[:-2] + (1,) + y.shape[-2:])
            dist = reshape(where(self.dist > 0, Cdist(p)(x, y), 1.0), self.dist.shape + (1,))
            dd = diff / dist if p == 2 else \
                np.sign(d) * where(d != 0, magnitude(diff) / dist, 1.0) ** (p - 1)
        gd = reshape(g, g.shape + (1,)) * dd
        return _sum(gd, axis=-2), -_sum(gd, axis=-3)


def cdist(x, y, p=2.0):
    """Pairwise distances between the rows of ``x`` (..., m, d) and ``y`` (..., n, d):
    (..., m, n), Euclidean as in Keras; ``p`` (a saessak extension, as ``torch.cdist``)
    picks another Minkowski norm, 0 <= p <= inf. Batch axes broadcast."""
    x, y = common_tensors((x, y), floating=True)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"cdist: inputs need rank 2 or more, received shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"cdist: the last axes must match, received shapes {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")
    p = float(p)
    if not p >= 0:
        raise ValueError(f"cdist: p must be >= 0, received {p}")
    return Cdist(p)(x, y)

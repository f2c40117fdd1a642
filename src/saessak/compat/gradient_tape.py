"""``tf.GradientTape`` on saessak's autograd.

saessak records the graph of every op whose inputs require gradients, so a tape has little
to record itself: ``watch`` makes a tensor require gradients for as long as the tape is
open, and ``gradient`` walks the graph back from the target, exactly as ``backward()``
does, but hands the gradients back instead of adding them to each leaf's ``.grad`` (so a
tape never disturbs a model's own ``.grad`` fields). Trainable Variables are watched
automatically because they always require gradients.

Inside an outer tape, ``gradient`` computes with recorded ops instead
(:mod:`saessak.ops.gradients`), so the outer tape can differentiate the gradient again:
Hessians, gradient penalties (WGAN-GP), physics-informed losses.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import ops
from ..autograd import Tensor, no_grad
from ..autograd.tensor import _key, _output_grads, _topological_order, is_grad_enabled, sum_to_shape
from ..ops.gradients import gradients

_recording: list = []  # the open tapes, innermost last


class GradientTape:
    """Record operations for automatic differentiation, as ``tf.GradientTape``.

    >>> w = tf.Variable([[1.0], [2.0]])
    >>> with tf.GradientTape() as tape:
    ...     loss = tf.reduce_sum(tf.matmul([[3.0, 4.0]], w) ** 2)
    >>> tape.gradient(loss, w).numpy().ravel()
    array([66., 88.], dtype=float32)
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched: list = []  # (tensor, requires_grad before watch)
        self._used = False

    def __enter__(self):
        _recording.append(self)
        return self

    def __exit__(self, *exc):
        if self in _recording:
            _recording.remove(self)
        for t, before in self._watched:  # watched constants go back to being constants
            t.requires_grad = before

    def watch(self, tensor) -> None:
        """Track ``tensor`` (or a list/tuple/dict of them) so gradients can reach it."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch: expected a Tensor or Variable, received "
                                 f"{type(t).__name__}; convert it with tf.constant first")
            if t.dtype.kind != "f":
                raise ValueError(f"GradientTape.watch: only float tensors have gradients, "
                                 f"received dtype {t.dtype}")
            self._watched.append((t, t.requires_grad))
            t.requires_grad = True

    def watched_variables(self) -> list:
        return [t for t, _ in self._watched]

    @contextlib.contextmanager
    def stop_recording(self):
        """Operations inside this block are not recorded (no gradient flows through them)."""
        with no_grad():
            yield

    def reset(self) -> None:
        self._watched, self._used = [], False

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """d(sum of ``target``)/d(each source), in the structure of ``sources``.

        ``target`` may be one tensor or a list (their gradients add up); a non-scalar target
        is summed, as TensorFlow does, unless ``output_gradients`` weight it. A source the
        target does not depend on gets None (or zeros with
        ``unconnected_gradients="zero"``)."""
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on a "
                               "non-persistent tape; use GradientTape(persistent=True)")
        if unconnected_gradients not in ("none", "zero") and \
                getattr(unconnected_gradients, "value", None) not in ("none", "zero"):
            raise ValueError(f"GradientTape.gradient: unconnected_gradients must be 'none' or "
                             f"'zero', received {unconnected_gradients!r}")
        self._used = True
        flat_sources = _flatten(sources)
        targets = _flatten(target)
        weights = [None] * len(targets) if output_gradients is None else \
            _flatten(output_gradients)
        with self._watching():
            grads = self._walk(targets, weights, flat_sources)
        if not self.watch_accessed_variables:  # only what was watched by hand
            watched = {id(t) for t, _ in self._watched}
            grads = [g if id(s) in watched else None for g, s in zip(grads, flat_sources)]
        zero = getattr(unconnected_gradients, "value", unconnected_gradients) == "zero"
        out = []
        for g, s in zip(grads, flat_sources):
            if g is None and zero:
                g = np.zeros(s.shape, s.dtype)
            out.append(g if g is None or isinstance(g, Tensor) else Tensor(g))
        return _unflatten(sources, out)

    def jacobian(self, target, sources, unconnected_gradients="none"):
        """d(each element of ``target``)/d(source): shape ``target.shape + source.shape``."""
        flat_sources = _flatten(sources)
        rows = []
        for i in range(max(int(np.prod(target.shape)), 1)):
            onehot = np.zeros(target.size, target.dtype)
            onehot[i] = 1
            with self._watching():
                rows.append(self._walk([target], [onehot.reshape(target.shape)],
                                       flat_sources, keep_graph=True))
        out = []
        for k, s in enumerate(flat_sources):
            if all(r[k] is None for r in rows):
                out.append(None if unconnected_gradients == "none"
                           else Tensor(np.zeros(target.shape + s.shape, s.dtype)))
                continue
            parts = [Tensor(np.zeros(s.shape, s.dtype)) if r[k] is None else r[k]
                     for r in rows]
            out.append(ops.reshape(ops.stack(parts), target.shape + s.shape))
        self._used = True
        return _unflatten(sources, out)

    @contextlib.contextmanager
    def _watching(self):
        """Watched tensors require gradients again while the graph is walked (ops ask their
        inputs whether a gradient is wanted), also after the ``with`` block has closed."""
        for t, _ in self._watched:
            t.requires_grad = True
        try:
            yield
        finally:
            if self not in _recording:
                for t, before in self._watched:
                    t.requires_grad = before

    def _walk(self, targets, weights, sources, keep_graph=False):
        """The gradients, as arrays; inside an outer tape, as recorded Tensors that the
        outer tape can differentiate again (that walk keeps the graph: they refer to it)."""
        if is_grad_enabled() and any(t is not self for t in _recording):
            for t in targets:
                if not isinstance(t, Tensor):
                    raise ValueError(f"GradientTape.gradient: the target must be a Tensor, "
                                     f"received {type(t).__name__}")
            weights = [None if w is None else w if isinstance(w, Tensor)
                       else Tensor(np.asarray(w, t.dtype)) for w, t in zip(weights, targets)]
            unique = list({id(s): s for s in sources}.values())
            found = dict(zip(map(id, unique), gradients(targets, weights, unique)))
            return [found[id(s)] for s in sources]
        return _walk(targets, weights, sources, keep_graph or self.persistent)


def _walk(targets, weights, sources, retain):
    """Gradients of sum(weight * target) with respect to each source (None where unconnected),
    walking the recorded graph back from the targets as ``backward()`` does."""
    unique = list({id(s): s for s in sources}.values())  # a source may be listed twice
    wanted = {id(s): i for i, s in enumerate(unique)}
    found = [None] * len(unique)

    def collect(i, g, shape, dtype):
        g = sum_to_shape(g, shape) if g.shape != shape else g
        g = g.astype(dtype, copy=False) if dtype.kind == "f" else g
        found[i] = g if found[i] is None else found[i] + g

    roots = []
    for t, w in zip(targets, weights):
        if not isinstance(t, Tensor):
            raise ValueError(f"GradientTape.gradient: the target must be a Tensor, received "
                             f"{type(t).__name__}")
        g = np.ones(t.shape, t.dtype) if w is None else np.asarray(getattr(w, "data", w),
                                                                      t.dtype)
        if id(t) in wanted:  # d target / d target = 1
            collect(wanted[id(t)], g, t.shape, t.dtype)
        if t._node is not None and t.requires_grad:
            if t._node.freed:
                raise RuntimeError("GradientTape.gradient: the graph was already used by an "
                                   "earlier gradient call; use GradientTape(persistent=True)")
            roots.append((t, g))
    if roots:
        _propagate(roots, wanted, collect, retain)
    return [found[wanted[id(s)]] for s in sources]


def _propagate(roots, wanted, collect, retain):
    if len(roots) > 1:  # several targets: one walk from their weighted sum
        total = sum(ops.sum(t * g) for t, g in roots)
        roots = [(total, np.ones((), total.dtype))]
    root, g0 = roots[0]
    grads = {_key(root._node, root._index): g0}  # filed as autograd's backward files them
    for node in _topological_order(root._node):
        out_grads = _output_grads(node, grads) if node.n_outputs > 1 else (
            None if (g := grads.pop(node, None)) is None else (g,))
        if out_grads is None:
            continue
        in_grads = node.backward(*out_grads)
        in_grads = in_grads if isinstance(in_grads, tuple) else (in_grads,)
        for x, g in zip(node.inputs, in_grads):
            if x is None:
                continue
            if g is None or not x.requires_grad:
                continue
            if id(x) in wanted:
                collect(wanted[id(x)], g, x.data.shape, x.data.dtype)
            if x._node is not None:
                key = _key(x._node, x._index)
                g = sum_to_shape(g, x.data.shape) if g.shape != x.data.shape else g
                grads[key] = g if key not in grads else grads[key] + g
        if not retain:
            node.__dict__.clear()
            node.freed = True


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [x for k in structure for x in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for item in structure for x in _flatten(item)]
    return [structure]


def _unflatten(structure, flat):
    """``flat`` (in ``_flatten`` order) rebuilt in the shape of ``structure``."""
    items = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return {k: build(v) for k, v in s.items()}
        if isinstance(s, (list, tuple)):
            parts = [build(v) for v in s]
            return type(s)(parts) if not hasattr(s, "_fields") else type(s)(*parts)
        return next(items)

    return build(structure)

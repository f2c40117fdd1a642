"""CTC (Connectionist Temporal Classification): Keras 3's ``ops.ctc_loss`` and
``ops.ctc_decode``, and tf.keras 2's ``backend.ctc_batch_cost`` and ``backend.ctc_decode``
(here :func:`backend_ctc_decode`) on the same code.

The loss is the forward-backward recursion of Graves et al. (2006) in log space over the
"extended" label sequence, one NumPy step per time step for the whole batch. State ``j`` of
example ``b`` (``S = 2 L + 2`` states for a target of width ``L``):

    j = 0          a start state that emits nothing (log-probability -inf at every t)
    j = 2k + 1     the blank after label k (k = 0 .. L; k = 0 is the blank before label 1)
    j = 2k         label k (k = 1 .. L)

A path moves from j to j (stay), j + 1 (next state) or j + 2 (skip a blank: only into a
label state, and only when that label differs from the one before it, so that a repeated
label keeps its blank in between). With ``obs[t, j]`` = log_softmax(logits)[t, class of j]:

    alpha[t, j] = obs[t, j] + logsumexp(alpha[t-1, j], alpha[t-1, j-1], alpha[t-1, j-2])
    beta[t, j]  = logsumexp over the successors i of j of (obs[t+1, i] + beta[t+1, i])

started from ``alpha[-1] = (0, -inf, ...)`` (only the start state) and ``beta[T_b - 1] =
final``, 0 at the two final states (the last label and the blank after it) and -inf
elsewhere. The log-likelihood is ``log p = beta[-1, start]``; the loss is ``-log p``.

Gradient. Let ``lp = log_softmax(z)`` and ``gamma[t, j] = exp(alpha[t, j] + beta[t, j] -
log p)``, the posterior probability that a path is in state j at step t (it sums to 1 over
j at every t < T_b). Each path uses exactly one class per step, so d(log p)/d lp[t, c] =
sum over states j of class c of gamma[t, j] =: occ[t, c], with sum_c occ[t, c] = 1.
Through log_softmax (d lp[c] / d z[k] = [c = k] - softmax(z)[k]):

    d(-log p) / d z[t, k] = softmax(z)[t, k] - occ[t, k]          (0 for t >= T_b)

Keras 3.15 (TensorFlow backend) runs ``tf.nn.ctc_loss``'s dense algorithm, which writes
log(0) as log(1e-307) (about -706.9) in its start and final vectors: a row that cannot
align (too few steps for its labels and the blanks its repeats need) gets a finite loss of
about 707 and more, not inf, and training goes on. So does this module: ``alpha[-1]`` and
``final`` hold that constant, ``log p`` comes from the start state and gamma is normalised
per step, as there; on such rows loss and gradient are TensorFlow's (that gradient is not
the exact derivative of that loss; on rows that can align both are exact). tf.keras 2's
``ctc_batch_cost`` (``tf.compat.v1.nn.ctc_loss``) keeps a true -inf: such rows get an inf
loss and the gradient softmax(z), as there.
"""

from __future__ import annotations

import heapq
import math
from itertools import count

import numpy as np

from .. import backend
from ..autograd.tensor import Function, Tensor
from .dtypes import float_tensor
from .manipulation import expand_dims

# TensorFlow's log(0) in its dense CTC loss: log(1e-307) rounded to float32
TF_LOG_ZERO = float(np.float32(np.log(1e-307)))
_NEG_INF = -np.inf


def _int_array(x, name, fn):
    a = backend.to_numpy(x)
    if a.dtype.kind not in "iufb":
        raise TypeError(f"{fn}: {name} must hold integers; received dtype {a.dtype}")
    return a.astype(np.int64)


def _check_rank(a, rank, name, fn, what):
    if a.ndim != rank:
        raise ValueError(f"{fn}: {name} must have rank {rank} {what}; received shape "
                         f"{tuple(a.shape)}")


def _blank_index(index, n_classes, fn):
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"{fn}: mask_index must be an integer; received {index!r}")
    if not -n_classes <= index < n_classes:
        raise ValueError(f"{fn}: mask_index {index} is out of range for {n_classes} classes")
    return int(index) % n_classes


def _check_lengths(lengths, batch, limit, name, limit_name, fn):
    _check_rank(lengths, 1, name, fn, "(batch,)")
    if lengths.shape[0] != batch:
        raise ValueError(f"{fn}: {name} has {lengths.shape[0]} entries for a batch of {batch}")
    if lengths.size and lengths.min() < 0:
        raise ValueError(f"{fn}: {name} must not be negative; received {lengths.min()}")
    if lengths.size and lengths.max() > limit:
        raise ValueError(f"{fn}: {name} {lengths.max()} is longer than {limit_name} ({limit})")


def _check_labels(target, target_length, n_classes, blank, fn):
    inside = np.arange(target.shape[1]) < target_length[:, None]
    bad = inside & ((target < 0) | (target >= n_classes) | (target == blank))
    if bad.any():
        b, k = np.argwhere(bad)[0]
        raise ValueError(
            f"{fn}: target[{b}, {k}] = {target[b, k]} is not a label: labels must lie in "
            f"[0, {n_classes}) for {n_classes} classes and differ from the blank "
            f"(mask index) {blank}")


def _lattice(target, n_classes, blank):
    """The states of each example: ``cls`` (B, S), the class each state reads; ``emits``,
    whether it reads one (else its log-probability is 0, or -inf for the start state);
    ``counted``, whether its occupation enters the gradient; ``skip``, whether j - 2 -> j is
    allowed. Padded labels (past target_length) are read as TensorFlow reads them: it
    moves the blank to class 0 (labels below it go up by one) and one-hot encodes, so an
    out-of-range value reads nothing and a value landing on the blank reads the blank."""
    B, L = target.shape
    r = np.where(target < blank, target + 1, target) if blank else target
    valid = (r >= 0) & (r < n_classes)
    label_cls = np.where(r == 0, blank, np.where(r <= blank, r - 1, r))
    cls = np.full((B, 2 * L + 2), blank, np.int64)
    cls[:, 2::2] = np.where(valid, label_cls, 0)
    emits = np.ones(cls.shape, bool)
    emits[:, 0] = False
    emits[:, 2::2] = valid
    counted = emits.copy()
    counted[:, 2::2] = valid & (r != 0)
    skip = np.zeros(cls.shape, bool)
    if L:
        skip[:, 2] = True  # start -> label 1
        skip[:, 4::2] = r[:, 1:] != r[:, :-1]
    return cls, emits, counted, skip


class CTCLossFn(Function):
    """Per-example CTC negative log-likelihood of logits ``z`` (B, T, C); see the module
    docstring for the recursion and the gradient. ``tf_log_zero``: TensorFlow's dense
    stand-in for log(0) (Keras 3) or a true -inf (tf.keras 2's v1 loss). ``probs_eps``: the
    input holds probabilities p and the logits are log(p + eps) (tf.keras 2)."""

    def __init__(self, target, target_length, output_length, blank, tf_log_zero=True,
                 probs_eps=None):
        self.target, self.target_length = target, target_length
        self.output_length, self.blank = output_length, blank
        self.log_zero = TF_LOG_ZERO if tf_log_zero else _NEG_INF
        self.probs_eps = probs_eps

    def forward(self, x):
        self.in_dtype, self.xp = x.dtype, backend.get_array_module(x)
        out_dtype = np.float64 if x.dtype == np.float64 else np.float32
        z = backend.to_numpy(x).astype(np.float64)
        if self.probs_eps is not None:
            self.p_eps = z + self.probs_eps
            z = np.log(self.p_eps)
        B, T, C = z.shape
        shifted = z - z.max(axis=2, keepdims=True)
        lp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        cls, emits, counted, skip = _lattice(self.target, C, self.blank)
        S = cls.shape[1]
        obs = lp[np.arange(B)[:, None, None], np.arange(T)[None, :, None], cls[:, None, :]]
        obs = np.where(emits[:, None, :], obs, 0.0)
        obs[:, :, 0] = _NEG_INF
        obs = np.ascontiguousarray(obs.transpose(1, 0, 2))  # (T, B, S)
        rows, last = np.arange(B), 2 * self.target_length
        final = np.full((B, S), self.log_zero)
        final[rows, last], final[rows, last + 1] = 0.0, 0.0

        # backward pass: beta[t] from beta[t + 1]; a row's recursion starts at its T_b - 1
        ahead = np.zeros((B, S), bool)  # j + 2 -> is a legal skip out of j
        ahead[:, :-2] = skip[:, 2:]
        pad = np.full((B, S + 2), _NEG_INF)
        betas = np.empty((T, B, S))
        beta, ends = final, self.output_length - 1
        for t in range(T - 1, -2, -1):
            if t < T - 1:
                pad[:, :S] = beta + obs[t + 1]
                nxt = np.logaddexp(np.logaddexp(pad[:, :S], pad[:, 1:S + 1]),
                                   np.where(ahead, pad[:, 2:], _NEG_INF))
                beta = np.where((t >= ends)[:, None], final, nxt) if t >= 0 else nxt
            if t >= 0:
                betas[t] = beta
        # log p from the start state; a row with T_b = 0 never leaves it
        log_p = np.where(self.output_length > 0, beta[:, 0], final[:, 0])
        if self.recording:
            self.lp, self.obs, self.betas = lp, obs, betas
            self.cls, self.counted, self.skip = cls, counted, skip
        return (-log_p).astype(out_dtype)

    def backward(self, g):
        lp, obs, skip = self.lp, self.obs, self.skip
        T, B, S = obs.shape
        init = np.full((B, S), self.log_zero)
        init[:, 0] = 0.0
        # forward pass and the posterior gamma, normalised at each step as TensorFlow does
        pad = np.full((B, S + 2), _NEG_INF)
        gamma, alpha = np.empty((T, B, S)), init
        for t in range(T):
            pad[:, 2:] = alpha
            alpha = np.logaddexp(np.logaddexp(alpha, pad[:, 1:-1]),
                                 np.where(skip, pad[:, :-2], _NEG_INF)) + obs[t]
            gamma[t] = alpha + self.betas[t]
        top = gamma.max(axis=2, keepdims=True)
        live = np.isfinite(top) & (np.arange(T)[:, None, None] < self.output_length[:, None])
        top = np.where(live, top, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            gamma = np.exp(gamma - top)
            gamma /= gamma.sum(axis=2, keepdims=True)
        gamma = np.where(live, gamma, 0.0) * self.counted
        onehot = np.zeros((B, S, lp.shape[2]))
        onehot[np.arange(B)[:, None], np.arange(S), self.cls] = 1.0
        occ = np.einsum("tbs,bsc->btc", gamma, onehot)
        steps = np.arange(T) < self.output_length[:, None]  # (B, T)
        grad = (np.exp(lp) - occ) * steps[:, :, None]
        grad *= backend.to_numpy(g).astype(np.float64)[:, None, None]
        if self.probs_eps is not None:  # z = log(p + eps): dz/dp = 1 / (p + eps)
            grad /= self.p_eps
        return self.xp.asarray(grad.astype(self.in_dtype))


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Keras 3's ``ops.ctc_loss``: the CTC loss of each example, shape ``(batch,)``.

    ``target`` (batch, max_label_length) holds integer labels, of which the first
    ``target_length[b]`` count; ``output`` (batch, max_time, classes) holds logits (this
    applies log_softmax, as Keras does), of which the first ``output_length[b]`` steps
    count; class ``mask_index`` is the blank. The result is float64 for float64 logits and
    float32 otherwise, as in Keras. A row that cannot align gets TensorFlow's finite
    stand-in for an infinite loss (about 707 and more; see the module docstring). Unlike
    Keras, a label outside [0, classes) or equal to the blank within ``target_length``,
    and a length past the array it measures, raise ``ValueError``."""
    fn = "ctc_loss"
    z = float_tensor(output)
    t = _int_array(target, "target", fn)
    _check_rank(z.data, 3, "output", fn, "(batch, time, classes)")
    _check_rank(t, 2, "target", fn, "(batch, max_label_length)")
    B, T, C = z.shape
    if t.shape[0] != B:
        raise ValueError(f"ctc_loss: target has {t.shape[0]} rows for a batch of {B} outputs")
    tl = _int_array(target_length, "target_length", fn)
    ol = _int_array(output_length, "output_length", fn)
    _check_lengths(tl, B, t.shape[1], "target_length", "the target's width", fn)
    _check_lengths(ol, B, T, "output_length", "the output's time steps", fn)
    blank = _blank_index(mask_index, C, fn)
    _check_labels(t, tl, C, blank, fn)
    return CTCLossFn(t, tl, ol, blank)(z)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """tf.keras 2's ``keras.backend.ctc_batch_cost``: the CTC loss of softmax outputs
    ``y_pred`` (batch, time, classes), shape ``(batch, 1)``; the blank is the last class.

    As there (``tf.compat.v1.nn.ctc_loss``): the logits are log(y_pred + epsilon);
    ``input_length`` and ``label_length`` are ``(batch, 1)``; labels from classes - 1 up
    ("null", such as a padding value 99) end a row's labels, so they may only trail; a
    row with label_length 0, fewer steps than label_length or a negative label is an
    error; a row whose repeats leave no room for their blanks gets an inf loss. A row of
    nulls only is the empty labelling here (TensorFlow reads past its buffers there)."""
    fn = "ctc_batch_cost"
    p = float_tensor(y_pred)
    _check_rank(p.data, 3, "y_pred", fn, "(batch, time, classes)")
    B, T, C = p.shape
    t = _int_array(y_true, "y_true", fn)
    _check_rank(t, 2, "y_true", fn, "(batch, max_string_length)")
    if t.shape[0] != B:
        raise ValueError(f"{fn}: y_true has {t.shape[0]} rows for a batch of {B} outputs")
    il, ll = (_int_array(v, n, fn) for n, v in (("input_length", input_length),
                                                 ("label_length", label_length)))
    for name, a in (("input_length", il), ("label_length", ll)):
        if a.ndim != 2 or a.shape[1] != 1:
            raise ValueError(f"{fn}: {name} must have shape (batch, 1); received "
                             f"{tuple(a.shape)}")
    il, ll = il[:, 0], ll[:, 0]
    _check_lengths(il, B, T, "input_length", "y_pred's time steps", fn)
    _check_lengths(ll, B, t.shape[1], "label_length", "y_true's width", fn)
    inside = np.arange(t.shape[1]) < ll[:, None]
    null = inside & (t >= C - 1)
    for b in range(B):
        if ll[b] == 0:
            raise ValueError(f"{fn}: label_length is zero in batch {b}")
        if il[b] < ll[b]:
            raise ValueError(f"{fn}: not enough time steps for the labels in batch {b} "
                             f"(required: {ll[b]}, available: {il[b]})")
        if (t[b, :ll[b]] < 0).any():
            raise ValueError(f"{fn}: labels must not be negative; batch {b} holds "
                             f"{t[b, :ll[b]].tolist()}")
        if (np.diff(null[b, :ll[b]].astype(int)) < 0).any():
            raise ValueError(f"{fn}: a label below {C - 1} follows a null label (>= "
                             f"{C - 1}, the blank) in batch {b}: {t[b, :ll[b]].tolist()}")
    n_labels = (inside & ~null).sum(axis=1)
    t = np.where(null, 0, t)  # past n_labels: never read
    loss = CTCLossFn(t, n_labels, il, C - 1, tf_log_zero=False,
                     probs_eps=backend.epsilon())(p)
    return expand_dims(loss, 1)


# --- decoding -------------------------------------------------------------------------


def _decode_inputs(inputs, lengths, fn, name="sequence_lengths"):
    x = np.asarray(backend.to_numpy(inputs))
    _check_rank(x, 3, "inputs", fn, "(batch, time, classes)")
    score_dtype = np.float64 if x.dtype == np.float64 else np.float32
    n = _int_array(lengths, name, fn)
    _check_lengths(n, x.shape[0], x.shape[1], name, "the inputs' time steps", fn)
    return x.astype(np.float64), n, score_dtype


def _greedy(x, lengths, blank, merge_repeated):
    """Best path: the argmax class of each step (the first on ties), repeats merged, blanks
    dropped. Returns (B, T) labels padded with -1 and -sum of the steps' max logits."""
    B, T, _ = x.shape
    best = x.argmax(axis=2)
    live = np.arange(T) < lengths[:, None]
    keep = live & (best != blank)
    if merge_repeated:
        prev = np.concatenate([np.full((B, 1), -1), best[:, :-1]], axis=1)
        keep &= best != prev
    out = np.full((B, T), -1, np.int64)
    slot = np.cumsum(keep, axis=1) - 1
    out[np.nonzero(keep)[0], slot[keep]] = best[keep]
    scores = -np.where(live, x.max(axis=2), 0.0).sum(axis=1, keepdims=True)
    return out, scores


def _lae(a, b):  # log(e^a + e^b) of two floats
    if a == _NEG_INF or b == _NEG_INF:
        return a if b == _NEG_INF else b
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


class _Prefix:
    """A beam: a label prefix, with log P(prefix, ending in a blank / in its last label)
    at the previous step (ob, ol) and at this one (nb, nl); nt, ot are the totals."""

    __slots__ = ("parent", "label", "children", "ob", "ol", "ot", "nb", "nl", "nt")

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, {}
        self.ob = self.ol = self.ot = self.nb = self.nl = self.nt = _NEG_INF

    def labels(self, merge_repeated):
        out, node = [], self
        while node.parent is not None:
            out.append(node.label)
            node = node.parent
        out.reverse()
        if merge_repeated:
            out = [c for i, c in enumerate(out) if i == 0 or c != out[i - 1]]
        return out


def _beam_search(lp, length, blank, beam_width, top_paths, merge_repeated):
    """CTC prefix beam search over one example's log-probabilities ``lp`` (T, C), step by
    step as TensorFlow's CTCBeamSearchDecoder: the beams of the last step are extended in
    decreasing probability; a beam keeps its prefix (with a blank, or repeating its last
    label) and may grow by one label, where a label equal to the last one must follow a
    blank. A new prefix enters when the beam has room or beats the weakest beam, which it
    then drops. Returns the ``top_paths`` best prefixes and their log-probabilities."""
    labels = np.array([c for c in range(lp.shape[1]) if c != blank])
    where = {int(c): i for i, c in enumerate(labels)}
    root = _Prefix(None, -1)
    root.nt = root.nb = 0.0
    order = count()
    heap = [(0.0, next(order), root)]  # (total, order, beam): heap[0] is the weakest

    def candidate(total):
        return total > _NEG_INF and (len(heap) < beam_width or total > heap[0][0])

    for t in range(length):
        x, x_labels = lp[t], lp[t, labels]
        branches = [e[2] for e in sorted(heap, key=lambda e: (-e[0], e[1]))]
        heap = []
        for b in branches:
            b.ob, b.ol, b.ot = b.nb, b.nl, b.nt
        for b in branches:  # carry each beam over: its prefix stays the same
            p = b.parent
            if p is not None:
                nl = b.ol
                if p.nt != _NEG_INF:  # the parent is still a beam: it may grow into b
                    nl = _lae(nl, p.ob if b.label == p.label else p.ot)
                b.nl = nl + x[b.label]
            b.nb = b.ot + x[blank]
            b.nt = _lae(b.nb, b.nl)
            heapq.heappush(heap, (b.nt, next(order), b))
        for b in branches:  # grow each beam by one label
            if not candidate(b.ot):
                continue
            score = x_labels + b.ot
            if b.parent is not None:  # the same label again needs a blank in between
                score[where[b.label]] = x[b.label] + b.ob
            floor = heap[0][0] if len(heap) >= beam_width else _NEG_INF
            # the labels that may enter, and the children b already has: one that is not
            # a beam and fails to enter is cleared, so it grows nothing later this step
            todo = set(np.flatnonzero(score > floor).tolist())
            todo.update(where[c] for c in b.children)
            for i in sorted(todo):
                c = b.children.get(int(labels[i]))
                if c is not None and c.nt != _NEG_INF:
                    continue  # already a beam, carried over above
                s = float(score[i])
                if not candidate(s):
                    if c is not None:
                        c.ob = c.ol = c.ot = _NEG_INF
                    continue
                if c is None:
                    c = b.children[int(labels[i])] = _Prefix(b, int(labels[i]))
                c.nb, c.nl, c.nt = _NEG_INF, s, s
                if len(heap) >= beam_width:
                    weakest = heap[0][2]
                    weakest.nb = weakest.nl = weakest.nt = _NEG_INF
                    heapq.heapreplace(heap, (s, next(order), c))
                else:
                    heapq.heappush(heap, (s, next(order), c))
    if top_paths > len(heap):
        raise ValueError(f"ctc_decode: top_paths={top_paths} but the beam search ended with "
                         f"only {len(heap)} beams for a sequence of length {length}")
    best = sorted(heap, key=lambda e: (-e[0], e[1]))[:top_paths]
    return [e[2].labels(merge_repeated) for e in best], [e[0] for e in best]


def _beam_batch(lp, lengths, blank, beam_width, top_paths, merge_repeated, fn):
    for name, v in (("beam_width", beam_width), ("top_paths", top_paths)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{fn}: {name} must be a positive integer; received {v!r}")
    if top_paths > beam_width:
        raise ValueError(f"{fn}: top_paths ({top_paths}) cannot exceed beam_width "
                         f"({beam_width})")
    B, T, _ = lp.shape
    decoded = np.full((top_paths, B, T), -1, np.int64)
    scores = np.empty((B, top_paths))
    for b in range(B):
        paths, logp = _beam_search(lp[b], int(lengths[b]), blank, beam_width, top_paths,
                                   merge_repeated)
        for k, path in enumerate(paths):
            decoded[k, b, :len(path)] = path
        scores[b] = logp
    return decoded, scores


def _log_softmax(x):
    shifted = x - x.max(axis=2, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Keras 3's ``ops.ctc_decode`` of logits ``inputs`` (batch, max_time, classes).

    Returns ``(decoded, scores)``: ``decoded`` int32 of shape (1 for "greedy", else
    top_paths; batch; max_time), each path's labels padded with -1; ``scores`` of shape
    (batch, 1 or top_paths), float64 for float64 inputs and float32 otherwise.

    - ``"greedy"``: the argmax class of each step (the lowest index on ties), repeats
      merged when ``merge_repeated``, blanks dropped; the score is minus the sum of each
      step's largest logit (not a log-probability), as in TensorFlow.
    - ``"beam_search"``: CTC prefix beam search on log_softmax(inputs), TensorFlow's
      algorithm; the scores are the paths' log-probabilities, best first. As in Keras,
      ``merge_repeated`` does not apply to it. Paths tied (to float32 rounding: this
      searches in float64, TensorFlow in float32) may rank otherwise than there.

    ``mask_index`` is the blank (None: the last class)."""
    fn = "ctc_decode"
    x, n, score_dtype = _decode_inputs(inputs, sequence_lengths, fn)
    C = x.shape[2]
    blank = C - 1 if mask_index is None else _blank_index(mask_index, C, fn)
    if strategy == "greedy":
        decoded, scores = _greedy(x, n, blank, merge_repeated)
        decoded = decoded[None]
    elif strategy == "beam_search":
        decoded, scores = _beam_batch(_log_softmax(x), n, blank, beam_width, top_paths,
                                      False, fn)
    else:
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                         "'beam_search'.")
    return Tensor(decoded.astype(np.int32)), Tensor(scores.astype(score_dtype))


def backend_ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """tf.keras 2's ``keras.backend.ctc_decode`` of softmax outputs ``y_pred`` (batch,
    time, classes), the blank being the last class.

    Returns ``(decoded, log_prob)`` as there: ``decoded`` is a list (one entry when
    ``greedy``, else ``top_paths``) of int64 (batch, time) Tensors padded with -1;
    ``log_prob`` is (batch, 1) minus the sum of each step's largest log(y_pred + eps) for
    greedy, else (batch, top_paths) log-probabilities. The beam search there merges
    repeated labels of a path (``merge_repeated=True`` of tf.compat.v1), so two of the
    top paths may read the same."""
    fn = "ctc_decode"
    p, n, score_dtype = _decode_inputs(y_pred, input_length, fn, "input_length")
    x = np.log(p + backend.epsilon())
    blank = x.shape[2] - 1
    if greedy:
        decoded, scores = _greedy(x, n, blank, True)
        decoded = decoded[None]
    else:
        decoded, scores = _beam_batch(_log_softmax(x), n, blank, beam_width, top_paths,
                                      True, fn)
    return [Tensor(d) for d in decoded], Tensor(scores.astype(score_dtype))

"""The recurrent ops' plain-NumPy references (ops/lstm.py, gru.py, simple_rnn.py).

1. The references' own gradients: each ``*_reference_backward`` against central differences
   of its ``*_reference`` in float64, with a mask and recurrent dropout. The loops start
   from the input projections x_t W; the products with W are the op's (part 3).
2. The compiled loops (ops/_rnn_numba.py) against the references they stand in for, called
   with the same arguments: forward values and every gradient.
3. Through the op: the fast path against the reference path with a mask and go_backwards,
   and which loops ``Recurrence.forward`` picks.
"""

import numpy as np
import pytest

from saessak import Tensor, no_grad, ops
from saessak.ops import _rnn_numba
from saessak.ops.gru import GRU, gru_reference, gru_reference_backward
from saessak.ops.lstm import LSTM, lstm_reference, lstm_reference_backward
from saessak.ops.simple_rnn import simple_rnn_reference, simple_rnn_reference_backward

needs_numba = pytest.mark.skipif(not _rnn_numba.ENABLED,
                                 reason="numba (the 'fast' extra) not installed")

T, B, F, U = 5, 3, 4, 3

# name: (reference forward, reference backward, compiled forward, compiled backward,
#        gates, bias shape, number of states, extra keyword arguments)
CELLS = {
    "lstm": (lstm_reference, lstm_reference_backward, "lstm_forward", "lstm_backward",
             4, (4 * U,), 2, {}),
    "gru": (gru_reference, gru_reference_backward, "gru_forward", "gru_backward",
            3, (2, 3 * U), 1, {"reset_after": True}),
    "gru_reset_before": (gru_reference, gru_reference_backward, "gru_forward",
                         "gru_backward", 3, (3 * U,), 1, {"reset_after": False}),
    "simple_rnn": (simple_rnn_reference, simple_rnn_reference_backward, "simple_forward",
                   "simple_backward", 1, (U,), 1, {}),
}


def problem(cell, dtype=np.float64, seed=0, masked=True, dropout=True):
    """Time-major input projections x_t W, initial states, weights (recurrent kernel and
    bias) and options for one cell."""
    *_, gates, bias_shape, n_states, extra = CELLS[cell]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, B, gates * U))
    states = [rng.standard_normal((B, U)) * 0.5 for _ in range(n_states)]
    weights = [rng.standard_normal((U, gates * U)) * 0.5, rng.standard_normal(bias_shape) * 0.3]
    keep = None
    if masked:
        keep = rng.random((T, B, 1)) > 0.3
        keep[0] = True
    options = dict(extra, keep=keep)
    if dropout:
        options["state_dropout"] = ((rng.random((B, U)) > 0.3) / 0.7).astype(dtype)
    cast = [a.astype(dtype) for a in [x, *states, *weights]]
    return cast[0], cast[1:1 + n_states], cast[1 + n_states:], options


def loss_and_upstream(cell, saved, seed=1):
    """L = sum(R * H[1:]) + sum(r_k * S_k[-1]) for fixed random R, r_k: a scalar that every
    output and final state feeds, and its gradients with respect to them."""
    n_states = CELLS[cell][6]
    rng = np.random.default_rng(seed)
    dH = rng.standard_normal(saved[0][1:].shape)
    d_finals = [rng.standard_normal(saved[k][-1].shape) for k in range(n_states)]
    loss = np.sum(dH * saved[0][1:]) + sum(np.sum(d * saved[k][-1])
                                           for k, d in enumerate(d_finals))
    return loss, dH, d_finals


@pytest.mark.parametrize("activations", [("tanh", "sigmoid"), ("relu", "hard_sigmoid")])
@pytest.mark.parametrize("masked,dropout", [(False, False), (True, True)])
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_reference_backward_against_central_differences(cell, masked, dropout, activations):
    forward, backward, *_ = CELLS[cell]
    x, states, weights, options = problem(cell, masked=masked, dropout=dropout)
    options.update(activation=activations[0], recurrent_activation=activations[1])
    if activations[0] == "relu":  # keep pre-activations away from relu's kink at 0
        weights[1] = weights[1] + 0.2

    def loss(arrays):
        x_, *rest = arrays
        sts, wts = rest[:len(states)], rest[len(states):]
        return loss_and_upstream(cell, forward(x_, *sts, *wts, **options))[0]

    inputs = [x, *states, *weights]
    saved = forward(x, *states, *weights, **options)
    _, dH, d_finals = loss_and_upstream(cell, saved)
    grads = backward(dH, *[d.copy() for d in d_finals], *weights, *saved, **options)
    # backward returns (dxw, dU, db, *d_states); inputs are (xw, *states, U, b)
    dx, dU, db, *d_states = grads
    analytic = [dx, *d_states, dU, db]
    eps = 1e-6
    for k, (a, g) in enumerate(zip(inputs, analytic)):
        assert g.shape == a.shape, k
        numeric = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            plus, minus = [b.copy() for b in inputs], [b.copy() for b in inputs]
            plus[k][i] += eps
            minus[k][i] -= eps
            numeric[i] = (loss(plus) - loss(minus)) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=f"input {k}")


# --- the compiled loops give the references' values --------------------------------------------
# float64 runs only the compiled backward (the compiled forward's tanh is accurate to float32
# only, so float64 takes the reference forward): the same arithmetic in another order, equal
# to ~1e-12. float32 runs both compiled loops, whose tanh and sigmoid are within one float32
# ulp of NumPy's: agreement to a few ulps of each array's largest entry (sums such as the
# bias gradient cancel, so a small entry can carry such an absolute error).


def assert_close(fast, ref, dtype):
    assert fast.dtype == ref.dtype == dtype and fast.shape == ref.shape
    if dtype == np.float64:
        np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-13)
    else:
        atol = 16 * np.finfo(np.float32).eps * np.abs(ref).max()
        np.testing.assert_allclose(fast, ref, rtol=2e-5, atol=atol)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("masked,dropout", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_compiled_loops_match_the_reference(cell, masked, dropout, dtype):
    forward, backward, fast_forward, fast_backward, *_ = CELLS[cell]
    fast_forward, fast_backward = (getattr(_rnn_numba, fast_forward),
                                   getattr(_rnn_numba, fast_backward))
    x, states, weights, options = problem(cell, dtype, masked=masked, dropout=dropout)
    ref_saved = forward(x, *states, *weights, **options)
    if dtype == np.float32:  # what runs in float32: both compiled loops (x is used up)
        fast_saved = fast_forward(x.copy(), *states, *weights, **options)
        for f, r in zip(fast_saved, ref_saved):  # the states and the gate values
            assert_close(f, r, dtype)
    else:  # what runs in float64: the reference forward, the compiled backward
        fast_saved = tuple(a.copy() for a in ref_saved)
    _, dH, d_finals = loss_and_upstream(cell, ref_saved)
    dH, d_finals = dH.astype(dtype), [d.astype(dtype) for d in d_finals]
    ref_grads = backward(dH, *[d.copy() for d in d_finals], *weights, *ref_saved, **options)
    fast_grads = fast_backward(dH, *[d.copy() for d in d_finals], *weights, *fast_saved,
                               **options)
    assert len(fast_grads) == len(ref_grads) == 3 + len(states)
    for f, r in zip(fast_grads, ref_grads):
        assert_close(f, r, dtype)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before", "simple_rnn"])
def test_op_fast_path_equals_reference_path_masked_and_backwards(cell, dtype, monkeypatch):
    """Through the whole op (layout, go_backwards, mask, input and recurrent dropout)."""
    fn = {"lstm": ops.lstm, "simple_rnn": ops.simple_rnn}.get(cell, ops.gru)
    *_, gates, bias_shape, n_states, extra = CELLS[cell]
    extra = {k: v for k, v in extra.items()}
    rng = np.random.default_rng(5)
    x = rng.standard_normal((B, T, F)).astype(dtype)
    arrays = [(rng.standard_normal(s) * 0.5).astype(dtype)
              for s in [(F, gates * U), (U, gates * U), bias_shape]]
    states = [rng.standard_normal((B, U)).astype(dtype) for _ in range(n_states)]
    mask = rng.random((B, T)) > 0.3
    kwargs = dict(mask=mask, go_backwards=True, return_sequences=True,
                  input_dropout=((rng.random((B, F)) > 0.2) / 0.8).astype(dtype),
                  state_dropout=((rng.random((B, U)) > 0.2) / 0.8).astype(dtype), **extra)
    upstream = None
    results = {}
    for enabled in (True, False):
        monkeypatch.setattr(_rnn_numba, "ENABLED", enabled)
        tensors = [Tensor(a, requires_grad=True) for a in [x, *arrays, *states]]
        outs = fn(*tensors[:4], tensors[4:], **kwargs)
        if upstream is None:
            upstream = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
        total = sum((o * Tensor(u)).sum() for o, u in zip(outs, upstream))
        total.backward()
        results[enabled] = [o.numpy() for o in outs] + [t.grad for t in tensors]
    assert len(results[True]) == 1 + n_states + 4 + n_states
    for fast, ref in zip(results[True], results[False]):
        assert_close(fast, ref, dtype)


# --- the one place that picks --------------------------------------------------------------------


@pytest.mark.parametrize("dtype,activation,enabled,expect", [
    (np.float32, "tanh", True, ("compiled", "compiled")),
    (np.float64, "tanh", True, ("reference", "compiled")),
    (np.float32, "relu", True, ("reference", "reference")),
    (np.float32, "tanh", False, ("reference", "reference")),
])
@pytest.mark.parametrize("function,loop", [(LSTM, "lstm_forward_loop"),
                                           (GRU, "gru_forward_loop")])
def test_recurrence_picks_the_loops(function, loop, dtype, activation, enabled, expect,
                                    monkeypatch):
    if enabled and not _rnn_numba.ENABLED:
        pytest.skip("numba (the 'fast' extra) not installed")
    monkeypatch.setattr(_rnn_numba, "ENABLED", enabled)
    calls = []
    if _rnn_numba.ENABLED:
        compiled_loop = getattr(_rnn_numba, loop)
        monkeypatch.setattr(_rnn_numba, loop, lambda *a: calls.append(1) or compiled_loop(*a))
    gates = 4 if function is LSTM else 3
    rng = np.random.default_rng(0)
    x, W, R = (rng.standard_normal(s).astype(dtype)
               for s in [(B, T, F), (F, gates * U), (U, gates * U)])
    fn = function(has_bias=False, activation=activation)
    outs = fn(Tensor(x), Tensor(W, requires_grad=True), Tensor(R))
    assert outs[0].dtype == dtype
    assert fn.backward_loop in (function.compiled[1], function.reference[1])
    picked = ("compiled" if calls else "reference",
              "compiled" if fn.backward_loop is function.compiled[1] else "reference")
    assert picked == expect


# --- an embedding lookup's output: the table is projected, not the sequence ------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before", "simple_rnn"])
def test_lookup_input_runs_from_the_projected_table_with_the_same_results(cell, dtype,
                                                                          monkeypatch):
    """(table W)[ids] is table[ids] W: outputs and every gradient (the table's included)
    equal those of projecting the looked-up sequence, with a mask and go_backwards."""
    from saessak.ops import rnn

    fn = {"lstm": ops.lstm, "simple_rnn": ops.simple_rnn}.get(cell, ops.gru)
    *_, gates, bias_shape, n_states, extra = CELLS[cell]
    rng = np.random.default_rng(7)
    vocab, steps, batch = 6, 8, 4  # 32 tokens, 6 table rows: the table is projected
    ids = rng.integers(0, vocab, (batch, steps))
    arrays = [(rng.standard_normal(s) * 0.5).astype(dtype)
              for s in [(vocab, F), (F, gates * U), (U, gates * U), bias_shape]]
    mask = rng.random((batch, steps)) > 0.3
    kwargs = dict(mask=mask, go_backwards=True, return_sequences=True, **extra)
    seen, upstream, results = [], None, {}
    real = rnn.lookup_behind
    for shortcut in (True, False):
        monkeypatch.setattr(rnn, "lookup_behind",
                            lambda x, s=shortcut: seen.append(real(x)) or (real(x) if s else None))
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        x = ops.embedding_lookup(tensors[0], ids)
        outs = fn(x, *tensors[1:], **kwargs)
        if upstream is None:
            upstream = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
        sum((o * Tensor(u)).sum() for o, u in zip(outs, upstream)).backward()
        results[shortcut] = [o.numpy() for o in outs] + [t.grad for t in tensors]
    assert seen[0] is not None and seen[0][1] is not None  # the shortcut was there to take
    for fast, ref in zip(results[True], results[False]):
        assert fast.dtype == dtype and fast.shape == ref.shape
        scale = np.abs(ref).max()
        np.testing.assert_allclose(fast, ref, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=(64 * np.finfo(dtype).eps) * scale)


def test_lookup_shortcut_only_where_it_saves_products():
    from saessak.ops.rnn import lookup_behind

    rng = np.random.default_rng(0)
    small = Tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    large = Tensor(rng.standard_normal((50, 3)).astype(np.float32), requires_grad=True)
    ids = rng.integers(0, 5, (2, 4))  # 8 tokens
    table, found = lookup_behind(ops.embedding_lookup(small, ids))
    assert table is small and np.array_equal(found, ids)
    assert lookup_behind(ops.embedding_lookup(large, ids)) is None  # 50 rows > 8 tokens
    assert lookup_behind(Tensor(small.data[ids])) is None  # the same numbers, no lookup
    assert lookup_behind(ops.embedding_lookup(small, ids) * 1.0) is None  # not rows any more
    frozen = Tensor(small.data)  # a table that wants no gradient (GloVe) is projected too
    assert lookup_behind(ops.embedding_lookup(frozen, ids))[0] is frozen
    with no_grad():  # and so is inference's
        assert lookup_behind(ops.embedding_lookup(small, ids)) is not None
    # with input dropout the sequence is not table rows any more: the op projects it
    W = Tensor(rng.standard_normal((3, 8)).astype(np.float32))
    R = Tensor(rng.standard_normal((2, 8)).astype(np.float32))
    drop = np.ones((2, 3), np.float32)
    out = ops.lstm(ops.embedding_lookup(small, ids), W, R, input_dropout=drop)
    assert out[0]._node.token_ids is None
    assert ops.lstm(ops.embedding_lookup(small, ids), W, R)[0]._node.token_ids is not None


@needs_numba
@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before", "simple_rnn"])
def test_a_batch_of_one_takes_the_matrix_vector_product_and_matches(cell, monkeypatch):
    """At batch 1 every step's product is one row (gemv in the compiled loops)."""
    fn = {"lstm": ops.lstm, "simple_rnn": ops.simple_rnn}.get(cell, ops.gru)
    *_, gates, bias_shape, n_states, extra = CELLS[cell]
    rng = np.random.default_rng(3)
    arrays = [(rng.standard_normal(s) * 0.5).astype(np.float32)
              for s in [(1, T, F), (F, gates * U), (U, gates * U), bias_shape]]
    results = {}
    for enabled in (True, False):
        monkeypatch.setattr(_rnn_numba, "ENABLED", enabled)
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        outs = fn(*tensors, return_sequences=True, **extra)
        sum(o.sum() for o in outs).backward()
        results[enabled] = [o.numpy() for o in outs] + [t.grad for t in tensors]
    for fast, ref in zip(results[True], results[False]):
        assert_close(fast, ref, np.float32)


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_inference_and_a_frozen_table_take_the_shortcut_with_the_same_outputs(cell):
    from saessak.ops import rnn

    fn = {"lstm": ops.lstm, "simple_rnn": ops.simple_rnn}.get(cell, ops.gru)
    gates = CELLS[cell][4]
    rng = np.random.default_rng(2)
    table = Tensor(rng.standard_normal((6, F)).astype(np.float32))  # frozen
    W, R = (Tensor((rng.standard_normal(s) * 0.5).astype(np.float32))
            for s in [(F, gates * U), (U, gates * U)])
    ids = rng.integers(0, 6, (4, 8))
    plain = fn(Tensor(table.data[ids]), W, R, return_sequences=True)[0].numpy()
    with no_grad():
        out = fn(ops.embedding_lookup(table, ids), W, R, return_sequences=True)[0]
    np.testing.assert_allclose(out.numpy(), plain, rtol=1e-5, atol=1e-6)
    x = ops.embedding_lookup(table, ids)
    W.requires_grad = True
    y = fn(x, W, R)[0]
    assert y._node.token_ids is not None and rnn.lookup_behind(x) is not None
    y.sum().backward()  # the table wants no gradient: only W gets one
    assert table.grad is None and W.grad is not None

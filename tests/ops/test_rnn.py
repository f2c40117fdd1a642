"""The fused recurrent kernels against plain NumPy loops, and their gradients in every mode."""

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops
from saessak.ops import _rnn_numba


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- independent references: one step at a time, batch-major, no tricks -----------------------


def ref_simple_rnn(x, W, U, b, h, mask=None, backwards=False):
    outs = []
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    for t in steps:
        new = np.tanh(x[:, t] @ W + h @ U + b)
        h = new if mask is None else np.where(mask[:, t:t + 1], new, h)
        outs.append(h)
    return np.stack(outs, 1), h


def ref_lstm(x, W, U, b, h, c, mask=None, backwards=False):
    u = U.shape[0]
    outs = []
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    for t in steps:
        z = x[:, t] @ W + h @ U + b
        i, f = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u])
        g, o = np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        if mask is not None:
            keep = mask[:, t:t + 1]
            c_new, h_new = np.where(keep, c_new, c), np.where(keep, h_new, h)
        h, c = h_new, c_new
        outs.append(h)
    return np.stack(outs, 1), h, c


def ref_gru(x, W, U, b, h, reset_after=True, mask=None, backwards=False):
    u = U.shape[0]
    outs = []
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, 0)
    for t in steps:
        a = x[:, t] @ W + b_in
        if reset_after:
            m = h @ U + b_rec
            z = sigmoid(a[:, :u] + m[:, :u])
            r = sigmoid(a[:, u:2 * u] + m[:, u:2 * u])
            hh = np.tanh(a[:, 2 * u:] + r * m[:, 2 * u:])
        else:
            z = sigmoid(a[:, :u] + h @ U[:, :u])
            r = sigmoid(a[:, u:2 * u] + h @ U[:, u:2 * u])
            hh = np.tanh(a[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
        new = z * h + (1 - z) * hh
        h = new if mask is None else np.where(mask[:, t:t + 1], new, h)
        outs.append(h)
    return np.stack(outs, 1), h


B, T, F, U_ = 3, 5, 4, 3


def weights(rng, gates, bias_shape):
    W = rng.standard_normal((F, gates * U_)) * 0.5
    U = rng.standard_normal((U_, gates * U_)) * 0.5
    b = rng.standard_normal(bias_shape) * 0.3
    return W, U, b


def t64(*arrays):
    """float64 Tensors (bare arrays given to an op would take the default float32)."""
    return [Tensor(a) for a in arrays]


@pytest.fixture
def data(rng):
    x = rng.standard_normal((B, T, F))
    mask = rng.random((B, T)) > 0.3
    mask[:, 0] = True
    return x, mask


@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_matches_reference(rng, data, backwards, masked):
    x, mask = data
    mask = mask if masked else None
    W, U, b = weights(rng, 4, (4 * U_,))
    h0, c0 = rng.standard_normal((B, U_)), rng.standard_normal((B, U_))
    seq, h, c = ops.lstm(*t64(x, W, U, b), t64(h0, c0), mask=mask, go_backwards=backwards,
                         return_sequences=True)
    r_seq, r_h, r_c = ref_lstm(x, W, U, b, h0, c0, mask, backwards)
    np.testing.assert_allclose(seq.numpy(), r_seq, atol=1e-12)
    np.testing.assert_allclose(h.numpy(), r_h, atol=1e-12)
    np.testing.assert_allclose(c.numpy(), r_c, atol=1e-12)
    last, _, _ = ops.lstm(*t64(x, W, U, b), t64(h0, c0), mask=mask, go_backwards=backwards)
    np.testing.assert_allclose(last.numpy(), r_h, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("backwards,masked", [(False, False), (True, True)])
def test_gru_matches_reference(rng, data, reset_after, backwards, masked):
    x, mask = data
    mask = mask if masked else None
    W, U, b = weights(rng, 3, (2, 3 * U_) if reset_after else (3 * U_,))
    h0 = rng.standard_normal((B, U_))
    seq, h = ops.gru(*t64(x, W, U, b), t64(h0), reset_after=reset_after, mask=mask,
                     go_backwards=backwards, return_sequences=True)
    r_seq, r_h = ref_gru(x, W, U, b, h0, reset_after, mask, backwards)
    np.testing.assert_allclose(seq.numpy(), r_seq, atol=1e-12)
    np.testing.assert_allclose(h.numpy(), r_h, atol=1e-12)


@pytest.mark.parametrize("backwards,masked", [(False, False), (True, True)])
def test_simple_rnn_matches_reference(rng, data, backwards, masked):
    x, mask = data
    mask = mask if masked else None
    W, U, b = weights(rng, 1, (U_,))
    h0 = rng.standard_normal((B, U_))
    seq, h = ops.simple_rnn(*t64(x, W, U, b), t64(h0), mask=mask, go_backwards=backwards,
                            return_sequences=True)
    r_seq, r_h = ref_simple_rnn(x, W, U, b, h0, mask, backwards)
    np.testing.assert_allclose(seq.numpy(), r_seq, atol=1e-12)
    np.testing.assert_allclose(h.numpy(), r_h, atol=1e-12)


def test_zero_states_by_default_and_float32_stays_float32(rng, data):
    x, _ = data
    W, U, b = weights(rng, 4, (4 * U_,))
    seq, h, c = ops.lstm(x.astype(np.float32), W.astype(np.float32), U.astype(np.float32),
                         b.astype(np.float32), return_sequences=True)
    assert seq.dtype == np.float32 and h.dtype == np.float32
    zeros = np.zeros((B, U_))
    np.testing.assert_allclose(seq.numpy(), ref_lstm(x, W, U, b, zeros, zeros)[0], atol=1e-5)


# --- gradients: every input (x, W, U, b, initial states), in every mode ------------------------

MODES = {
    "last": {},
    "sequences": {"return_sequences": True},
    "backwards": {"go_backwards": True, "return_sequences": True},
    "masked": {"mask": "mask", "return_sequences": True},
    "masked_backwards_last": {"mask": "mask", "go_backwards": True},
    "zero_output_for_mask": {"mask": "mask", "return_sequences": True,
                             "zero_output_for_mask": True},
    "dropout": {"input_dropout": "dp", "state_dropout": "rdp", "return_sequences": True},
    "relu_hard_sigmoid": {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
}

KERNELS = {
    "simple_rnn": (ops.simple_rnn, 1, (U_,), 1, {}),
    "lstm": (ops.lstm, 4, (4 * U_,), 2, {}),
    "gru": (ops.gru, 3, (2, 3 * U_), 1, {"reset_after": True}),
    "gru_reset_before": (ops.gru, 3, (3 * U_,), 1, {"reset_after": False}),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_gradients(rng, data, kernel, mode):
    x, mask = data
    fn, gates, bias_shape, n_states, extra = KERNELS[kernel]
    kwargs = dict(MODES[mode])
    if kernel == "simple_rnn":
        kwargs.pop("recurrent_activation", None)
    if kwargs.get("mask") == "mask":
        kwargs["mask"] = mask
    if kwargs.get("input_dropout") == "dp":
        kwargs["input_dropout"] = (rng.random((B, F)) > 0.3) / 0.7
        kwargs["state_dropout"] = (rng.random((B, U_)) > 0.3) / 0.7
    W, U, b = (Tensor(a, requires_grad=True) for a in weights(rng, gates, bias_shape))
    states = [Tensor(rng.standard_normal((B, U_)), requires_grad=True) for _ in range(n_states)]
    if "relu" in mode:  # keep pre-activations away from relu's kink
        W.data += 0.2

    def run(x):
        return fn(x, W, U, b, states, **kwargs, **extra)  # the output and every final state

    result = grad_check(run, x, wrt=[W, U, b] + states)
    assert result.ok, str(result)


def test_without_bias_and_initial_state(rng, data):
    x, _ = data
    W, U, _ = (Tensor(a, requires_grad=True) for a in weights(rng, 4, (4 * U_,)))
    result = grad_check(lambda x: ops.lstm(x, W, U, return_sequences=True)[0], x, wrt=[W, U])
    assert result.ok, str(result)


def test_shape_errors(rng):
    W, U, b = weights(rng, 4, (4 * U_,))
    with pytest.raises(ValueError, match="last axis 4"):
        ops.lstm(np.zeros((2, 3, 5)), W, U, b)
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        ops.lstm(np.zeros((2, 4)), W, U, b)
    with pytest.raises(ValueError, match="activation must be one of"):
        ops.lstm(np.zeros((2, 3, 4)), W, U, b, activation="softmax")


# --- the optional numba loops give the NumPy loops' numbers ------------------------------------
# float64 runs only the compiled backward loops: the same arithmetic as NumPy's. float32 also
# runs the compiled forward loops (LSTM, GRU, SimpleRNN), whose tanh and sigmoid round
# differently from NumPy's by an ulp or so: agreement to a few float32 ulps of each array's
# largest entry
# (sums such as the bias gradient cancel, so a small entry can carry such an absolute error).


@pytest.mark.skipif(not _rnn_numba.ENABLED, reason="numba (the 'fast' extra) not installed")
@pytest.mark.parametrize("dtype,rtol,ulps", [(np.float64, 1e-12, 0), (np.float32, 2e-5, 16)])
@pytest.mark.parametrize("mode", ["last", "sequences", "masked_backwards_last", "dropout"])
@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_numba_loops_match_numpy(rng, data, kernel, mode, dtype, rtol, ulps, monkeypatch):
    x, mask = data
    fn, gates, bias_shape, n_states, extra = KERNELS[kernel]
    kwargs = dict(MODES[mode])
    if kwargs.get("mask") == "mask":
        kwargs["mask"] = mask
    if kwargs.get("input_dropout") == "dp":
        kwargs["input_dropout"] = ((rng.random((B, F)) > 0.3) / 0.7).astype(dtype)
        kwargs["state_dropout"] = ((rng.random((B, U_)) > 0.3) / 0.7).astype(dtype)
    arrays = [a.astype(dtype) for a in weights(rng, gates, bias_shape)]
    states = [rng.standard_normal((B, U_)).astype(dtype) for _ in range(n_states)]
    directions = None
    results = {}
    for enabled in (True, False):
        monkeypatch.setattr(_rnn_numba, "ENABLED", enabled)
        xt = Tensor(x.astype(dtype), requires_grad=True)
        params = [Tensor(a, requires_grad=True) for a in arrays + states]
        outs = fn(xt, *params[:3], params[3:], **kwargs, **extra)
        if directions is None:
            directions = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
        total = sum((o * Tensor(d)).sum() for o, d in zip(outs, directions))
        total.backward()
        results[enabled] = [o.numpy() for o in outs] + [xt.grad] + [p.grad for p in params]
    for fast, slow in zip(results[True], results[False]):
        assert fast.dtype == dtype
        atol = rtol * 1e-2 + ulps * np.finfo(dtype).eps * np.abs(slow).max()
        np.testing.assert_allclose(fast, slow, rtol=rtol, atol=atol)


@pytest.mark.skipif(not _rnn_numba.ENABLED, reason="numba (the 'fast' extra) not installed")
@pytest.mark.parametrize("kernel,compiled", [("lstm", "lstm_forward_loop"),
                                             ("gru", "gru_forward_loop"),
                                             ("gru_reset_before", "gru_forward_loop"),
                                             ("simple_rnn", "simple_forward_loop")])
def test_numba_forward_on_a_long_sequence(rng, kernel, compiled, monkeypatch):
    """100 steps of 32 units at the scale of a trained layer: the compiled forward loops'
    tanh (a rational function) must not drift over a long recurrence. Judged against the
    exact answer (float64): the float32 reference itself is off by ~1e-6 after 100 steps
    (its x @ W rounds differently from the compiled path's), and the compiled loop may be
    off by no more than twice that, plus a few float32 ulps."""
    fn, gates, bias_shape, _, extra = KERNELS[kernel]
    x = rng.standard_normal((8, 100, 16)).astype(np.float32)
    W = (rng.standard_normal((16, gates * 32)) * 0.4).astype(np.float32)
    U = (rng.standard_normal((32, gates * 32)) * 0.3).astype(np.float32)
    b = (rng.standard_normal((bias_shape[0], gates * 32) if len(bias_shape) == 2
                             else gates * 32) * 0.5).astype(np.float32)
    calls = []
    loop = getattr(_rnn_numba, compiled)
    monkeypatch.setattr(_rnn_numba, compiled, lambda *a: calls.append(1) or loop(*a))
    outs = {}
    for enabled in (True, False):
        monkeypatch.setattr(_rnn_numba, "ENABLED", enabled)
        outs[enabled] = [o.numpy() for o in fn(x, W, U, b, return_sequences=True, **extra)]
    assert len(calls) == 1  # the compiled loop ran once, the reference once
    exact = fn(*t64(*(a.astype(np.float64) for a in (x, W, U, b))), return_sequences=True,
               **extra)
    for fast, slow, ex in zip(outs[True], outs[False], exact):
        err_fast, err_slow = np.abs(fast - ex.numpy()).max(), np.abs(slow - ex.numpy()).max()
        assert err_fast <= 2 * err_slow + 4 * np.finfo(np.float32).eps, (err_fast, err_slow)


@pytest.mark.skipif(not _rnn_numba.ENABLED, reason="numba (the 'fast' extra) not installed")
def test_compiled_tanh_within_one_float32_ulp():
    x = np.concatenate([np.linspace(-12, 12, 400_001), np.logspace(-30, 1.2, 20_001),
                        -np.logspace(-30, 1.2, 20_001)]).astype(np.float32)
    y = _rnn_numba.tanh_array(x)
    exact = np.tanh(x.astype(np.float64))
    ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    assert y.dtype == np.float32
    assert np.max(np.abs(y - exact) / ulp) <= 1.0
    special = _rnn_numba.tanh_array(np.array([np.nan, np.inf, -np.inf, 0.0], np.float32))
    assert np.isnan(special[0]) and list(special[1:]) == [1.0, -1.0, 0.0]

"""Gradients of gradients through the fused recurrent ops (SimpleRNN, LSTM, GRU).

Each op's ``composite`` runs the same recurrence unrolled over time in recorded ops; here
``second_order_check`` differentiates the recorded gradients once more and compares with
central differences of the fused NumPy backward, in float64, for every option of
:class:`saessak.ops.rnn.Recurrence`. Small sizes: batch 2, time 3, units 2-3."""

from __future__ import annotations

import numpy as np
import pytest

import saessak.compat as tf
from saessak import backend, ops
from saessak.autograd import Tensor
from saessak.ops.gradients import gradients, second_order_check
from saessak.ops.gru import GRU
from saessak.ops.lstm import LSTM
from saessak.ops.simple_rnn import SimpleRNN

B, T, F = 2, 3, 4  # batch, time, features


def assert_second_order(fn, *arrays, tol=1e-5):
    result = second_order_check(fn, *arrays, tol=tol)
    assert result.ok, str(result)


def _r(*shape, seed=1, scale=1.0):
    return scale * np.random.default_rng(seed + sum(shape)).uniform(-1.0, 1.0, shape)


# name: (op class, the ops function, units, gates, bias shape, number of states, options)
KINDS = {
    "simple_rnn": (SimpleRNN, ops.simple_rnn, 3, 1, lambda w: (w,), 1, {}),
    "lstm": (LSTM, ops.lstm, 2, 4, lambda w: (w,), 2, {}),
    "gru": (GRU, ops.gru, 3, 3, lambda w: (2, w), 1, {"reset_after": True}),
    "gru_reset_before": (GRU, ops.gru, 2, 3, lambda w: (w,), 1, {"reset_after": False}),
}

MASK = np.array([[True, True, False], [True, False, True]])

OPTIONS = {
    "last": {},
    "sequences": {"return_sequences": True},
    "mask": {"mask": MASK},
    "mask_sequences_zeroed": {"mask": MASK, "return_sequences": True,
                              "zero_output_for_mask": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True},
    "backwards_masked": {"go_backwards": True, "mask": MASK},
    "dropout": {"input_dropout": 1.25 * (_r(B, F, seed=7) > -0.5),
                "state_dropout": "units"},  # (B, units), made below
    "relu_hard_sigmoid": {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
    "linear": {"activation": "linear"},
}


def _weights(kind, seed=0):
    _, _, units, gates, bias_shape, n_states, _ = KINDS[kind]
    width = gates * units
    return (_r(F, width, seed=seed, scale=0.6), _r(units, width, seed=seed + 1, scale=0.6),
            _r(*bias_shape(width), seed=seed + 2, scale=0.3))


def _options(kind, option):
    _, _, units, _, _, _, kind_options = KINDS[kind]
    options = {**kind_options, **OPTIONS[option]}
    if kind == "simple_rnn":
        options.pop("recurrent_activation", None)
    if options.get("state_dropout") == "units":
        options["state_dropout"] = 1.5 * (_r(B, units, seed=9) > 0.0)
    return options


def _loss(outputs):
    """Non-linear in every output (the sequence or last h, and the final states), so the
    second derivative is not trivially zero."""
    out, *states = outputs
    total = ops.sum(ops.tanh(out) ** 2)
    for k, s in enumerate(states):
        total = total + ops.sum(s ** 3) * (0.5 + k)
    return total


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_second_derivative_through_fused_recurrence(kind, option):
    fn_op, options = KINDS[kind][1], _options(kind, option)
    if option == "relu_hard_sigmoid":  # keep pre-activations off the kinks at +-3 and 0
        x = _r(B, T, F, seed=3, scale=0.5)
    else:
        x = _r(B, T, F, seed=3)

    def f(x, w, u, b):
        return _loss(fn_op(x, w, u, b, **options))

    assert_second_order(f, x, *_weights(kind))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_second_derivative_with_initial_state(kind):
    fn_op, units, n_states = KINDS[kind][1], KINDS[kind][2], KINDS[kind][5]
    options = {**KINDS[kind][6], "return_sequences": True, "mask": MASK}
    states = [_r(B, units, seed=20 + k, scale=0.8) for k in range(n_states)]

    def f(x, w, u, b, *initial):
        return _loss(fn_op(x, w, u, b, initial_state=list(initial), **options))

    assert_second_order(f, _r(B, T, F, seed=3), *_weights(kind), *states)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_second_derivative_without_bias(kind):
    fn_op, options = KINDS[kind][1], {**KINDS[kind][6], "go_backwards": True}
    w, u, _ = _weights(kind)
    assert_second_order(lambda x, w, u: _loss(fn_op(x, w, u, None, **options)),
                        _r(B, T, F, seed=3), w, u)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_second_derivative_behind_an_embedding_lookup(kind):
    """More tokens than table rows: the op runs from the table (token_ids)."""
    fn_op, options = KINDS[kind][1], {**KINDS[kind][6], "return_sequences": True}
    ids = np.array([[0, 2, 1], [2, 2, 0]])
    w, u, b = _weights(kind)

    def f(table, w, u, b):
        x = ops.embedding_lookup(table, ids)
        out = fn_op(x, w, u, b, **options)
        assert out[0]._node.token_ids is not None  # the table path is the one under test
        return _loss(out)

    assert_second_order(f, _r(3, F, seed=5), w, u, b)


def _inputs(kind, dtype):
    return [Tensor(a.astype(dtype), requires_grad=True)
            for a in (_r(B, T, F, seed=3), *_weights(kind))]


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_composite_forward_equals_fused_outputs(kind, option, dtype, tol):
    options = {k: v.astype(dtype) if k.endswith("dropout") else v  # masks of the layer's dtype
               for k, v in _options(kind, option).items()}
    inputs = _inputs(kind, dtype)
    fn = KINDS[kind][0](has_bias=True, **options)
    fused = fn(*inputs)
    composite = fn.composite(*fn.inputs)
    assert len(composite) == len(fused) == 1 + KINDS[kind][5]
    for a, c in zip(fused, composite):
        assert c.dtype == a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(c.numpy(), a.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_composite_takes_plain_array_inputs_as_constants(kind):
    """Inputs passed as arrays (no Tensor kept on the node) come from what forward saved."""
    fn_op, options = KINDS[kind][1], {**KINDS[kind][6], "return_sequences": True}
    x = _r(B, T, F, seed=3)
    w, u, b = _weights(kind)
    assert_second_order(lambda u: _loss(fn_op(x, w, u, b, **options)), u)


def test_first_derivative_of_composite_matches_fused_backward():
    w, u, b = _weights("lstm")
    inputs = [Tensor(a, requires_grad=True) for a in (_r(B, T, F, seed=3), w, u, b)]
    loss = _loss(ops.lstm(*inputs, return_sequences=True, mask=MASK))
    recorded = gradients([loss], [None], inputs)
    loss.backward()
    for g, x in zip(recorded, inputs):
        np.testing.assert_allclose(g.numpy(), x.grad, rtol=1e-12, atol=1e-12)


def test_third_derivative_through_the_composite():
    """The composite is built from ops with recorded backwards: differentiate three times."""
    w, u, b = _weights("gru")
    u_t = Tensor(u, requires_grad=True)
    loss = _loss(ops.gru(_r(B, T, F, seed=3), w, u_t, b, return_sequences=True))
    (g1,) = gradients([loss], [None], [u_t])
    (g2,) = gradients([ops.sum(g1 * g1)], [None], [u_t])
    (g3,) = gradients([ops.sum(g2 * g2)], [None], [u_t])
    assert g3 is not None and g3.shape == u.shape and np.isfinite(g3.numpy()).all()


def test_float32_second_derivative_keeps_its_dtype():
    w, u, b = _weights("lstm")
    inputs = [Tensor(a.astype(np.float32), requires_grad=True)
              for a in (_r(B, T, F, seed=3), w, u, b)]
    loss = _loss(ops.lstm(*inputs, return_sequences=True))
    grads = gradients([loss], [None], inputs)
    penalty = sum(ops.sum(g * g) for g in grads)
    penalty.backward()
    for x in inputs:
        assert x.grad is not None and x.grad.dtype == np.float32


def test_keras_lstm_second_derivative_in_nested_tapes():
    """tf.keras.layers.LSTM in nested GradientTapes: d/dx <v, dL/dx> (a Hessian-vector
    product) against central differences of the first derivative, in float64."""
    with backend.floatx_scope("float64"):
        layer = tf.keras.layers.LSTM(3, return_sequences=True)
        x0 = _r(B, T, F, seed=3)
        layer(tf.constant(x0))  # builds the weights, in float64
        v = _r(B, T, F, seed=11)

        def loss(x):
            return tf.reduce_sum(tf.tanh(layer(x)) ** 2)

        def first(x_array):
            x = tf.constant(x_array)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = loss(x)
            return tape.gradient(y, x).numpy()

        x = tf.constant(x0)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                assert isinstance(layer(x)._node, LSTM)  # the layer runs the fused op
                y = loss(x)
            g = inner.gradient(y, x)
            h = tf.reduce_sum(g * v)
        hv = outer.gradient(h, x).numpy()

    assert hv.dtype == np.float64
    np.testing.assert_allclose(g.numpy(), first(x0), rtol=1e-12, atol=1e-12)
    eps = 1e-6
    numeric = np.zeros_like(x0)
    for j in range(x0.size):
        up, down = x0.copy(), x0.copy()
        up.reshape(-1)[j] += eps
        down.reshape(-1)[j] -= eps
        numeric.reshape(-1)[j] = ((first(up) * v).sum() - (first(down) * v).sum()) / (2 * eps)
    np.testing.assert_allclose(hv, numeric, rtol=1e-6, atol=1e-7)
    assert np.abs(hv).max() > 1e-3  # not trivially zero

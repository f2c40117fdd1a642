"""Bidirectional, TimeDistributed, the generic RNN wrapper and StackedRNNCells."""

import numpy as np
import pytest

from saessak import backend, grad_check, layers, ops


def build(cls, *args, **kwargs):
    with backend.floatx_scope("float64"):
        return cls(*args, **kwargs)


def float64(make):
    """``make()`` with every layer it creates in float64 (wrapped layers included)."""
    with backend.floatx_scope("float64"):
        return make()


def built_weights(layer, *args, **kwargs):
    layer(*args, **kwargs)
    assert layer.trainable_weights
    return layer.trainable_weights


@pytest.fixture
def seq(rng):
    return rng.standard_normal((2, 5, 3))


MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 1, 1]], bool)


def test_bidirectional_names_shapes_and_parameter_count(seq):
    inner = layers.LSTM(4, name="lstm")
    bi = layers.Bidirectional(inner)
    out = bi(seq.astype(np.float32))
    assert out.shape == (2, 8)
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_lstm", "backward_lstm")
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert bi.count_params() == 2 * 4 * (3 + 4 + 1) * 4
    assert layers.Bidirectional(layers.LSTM(32)).compute_output_shape((None, None, 32)) == (
        None, 64)
    seq_bi = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode=None)
    assert seq_bi.compute_output_shape((None, 5, 3)) == [(None, 5, 4), (None, 5, 4)]


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merges_forward_and_reversed_backward(seq, merge_mode):
    bi = float64(lambda: layers.Bidirectional(layers.GRU(3, return_sequences=True),
                                              merge_mode=merge_mode))
    out = bi(seq)
    fwd = bi.forward_layer(seq).numpy()
    bwd = bi.backward_layer(seq).numpy()[:, ::-1]  # back into forward time order
    expected = {"concat": lambda: np.concatenate([fwd, bwd], -1), "sum": lambda: fwd + bwd,
                "mul": lambda: fwd * bwd, "ave": lambda: (fwd + bwd) / 2}
    if merge_mode is None:
        np.testing.assert_allclose(out[0].numpy(), fwd)
        np.testing.assert_allclose(out[1].numpy(), bwd)
    else:
        np.testing.assert_allclose(out.numpy(), expected[merge_mode]())
    # the backward half at step 0 has read the whole sequence, from its end
    ref = build(layers.GRU, 3)
    ref(seq)
    ref.set_weights(bi.backward_layer.get_weights())
    np.testing.assert_allclose(bwd[:, 0], ref(seq[:, ::-1]).numpy(), rtol=1e-12)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_gradients_with_mask_and_states(seq, return_sequences):
    bi = float64(lambda: layers.Bidirectional(
        layers.LSTM(3, return_sequences=return_sequences, return_state=True)))
    wrt = built_weights(bi, seq, mask=MASK)
    result = grad_check(lambda x: bi(x, mask=MASK), seq, wrt=wrt)
    assert result.ok, str(result)
    out = bi(seq, mask=MASK)
    assert len(out) == 5  # merged output, then h, c forward, then h, c backward
    if return_sequences:  # masked steps are zero in both halves, so they line up
        assert np.all(out[0].numpy()[~MASK] == 0)


def test_bidirectional_config_round_trip():
    bi = layers.Bidirectional(layers.GRU(5, dropout=0.1), merge_mode="sum")
    config = bi.get_config()
    clone = layers.Bidirectional.from_config(config)
    assert clone.merge_mode == "sum" and clone.forward_layer.units == 5
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.GRU(2), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        layers.Bidirectional(layers.Dense(2))


def test_time_distributed(seq):
    td = float64(lambda: layers.TimeDistributed(layers.Dense(4)))
    out = td(seq)
    assert out.shape == (2, 5, 4) and td.count_params() == 16
    w, b = td.layer.get_weights()
    np.testing.assert_allclose(out.numpy(), seq @ w + b)
    assert td.compute_output_shape((None, 5, 3)) == (None, 5, 4)
    result = grad_check(td, seq, wrt=td.trainable_weights)
    assert result.ok, str(result)


def test_rnn_wrapper_with_builtin_cell_matches_layer(seq):
    layer = build(layers.LSTM, 3, return_sequences=True)
    layer(seq)
    wrapped = float64(lambda: layers.RNN(layers.LSTMCell(3), return_sequences=True))
    wrapped(seq)
    wrapped.set_weights(layer.get_weights())
    np.testing.assert_allclose(wrapped(seq, mask=MASK).numpy(), layer(seq, mask=MASK).numpy())


class MinimalCell(layers.Layer):
    """A user's cell, written with ops: h_t = tanh(x W + h U) + h / 2."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight("kernel", (input_shape[-1], self.units), "random_normal")
        self.u = self.add_weight("recurrent_kernel", (self.units, self.units), "random_normal")
        self.built = True

    def call(self, inputs, states):
        h = ops.tanh(inputs @ self.w + states[0] @ self.u) + states[0] * 0.5
        return h, [h]


def numpy_minimal(x, w, u, mask=None, backwards=False):
    h = np.zeros((x.shape[0], w.shape[1]))
    steps = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    for t in steps:
        new = np.tanh(x[:, t] @ w + h @ u) + h * 0.5
        h = new if mask is None else np.where(mask[:, t:t + 1], new, h)
    return h


@pytest.mark.parametrize("backwards", [False, True])
def test_rnn_wrapper_loops_over_a_custom_cell(seq, backwards):
    rnn = float64(lambda: layers.RNN(MinimalCell(4), go_backwards=backwards))
    wrt = built_weights(rnn, seq)
    w, u = rnn.get_weights()
    np.testing.assert_allclose(rnn(seq).numpy(), numpy_minimal(seq, w, u, None, backwards))
    np.testing.assert_allclose(rnn(seq, mask=MASK).numpy(),
                               numpy_minimal(seq, w, u, MASK, backwards))
    result = grad_check(lambda x: rnn(x, mask=MASK), seq, wrt=wrt)
    assert result.ok, str(result)


def test_stacked_cells_equal_stacked_layers(seq):
    first = build(layers.GRU, 4, return_sequences=True)
    second = build(layers.LSTM, 3, go_backwards=False)
    second(first(seq))
    stacked = float64(lambda: layers.RNN([layers.GRUCell(4), layers.LSTMCell(3)],
                                         return_state=True))
    stacked(seq)
    stacked.set_weights(first.get_weights() + second.get_weights())
    out, h1, h2, c2 = stacked(seq, mask=MASK)
    np.testing.assert_allclose(out.numpy(), second(first(seq, mask=MASK)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(h2.numpy(), out.numpy())
    assert h1.shape == (2, 4) and c2.shape == (2, 3)
    wrt = stacked.trainable_weights
    result = grad_check(lambda x: stacked(x, mask=MASK)[0], seq, wrt=wrt)
    assert result.ok, str(result)


def test_rnn_config_round_trip():
    rnn = layers.RNN([layers.SimpleRNNCell(3), layers.GRUCell(2, reset_after=False)],
                     return_sequences=True)
    clone = layers.RNN.from_config(rnn.get_config())
    assert [type(c).__name__ for c in clone.cell.cells] == ["SimpleRNNCell", "GRUCell"]
    assert clone.cell.cells[1].reset_after is False and clone.return_sequences

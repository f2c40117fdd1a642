"""SimpleRNN, LSTM and GRU layers: Keras's numbers, weight layouts, gradients in every mode."""

import numpy as np
import pytest

import saessak
from saessak import backend, grad_check, initializers, layers

CONSTANT = dict(kernel_initializer=initializers.Constant(0.01),
                recurrent_initializer=initializers.Constant(0.02),
                bias_initializer=initializers.Constant(0.03))
X72 = np.arange(72, dtype=np.float64).reshape(3, 6, 4)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loop(step, x, n_states, units, backwards=False):
    """An independent time loop: ``step(x_t, states) -> states``; returns every h."""
    states = [np.zeros((x.shape[0], units))] * n_states
    hs = []
    for t in (range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])):
        states = step(x[:, t], states)
        hs.append(states[0])
    return np.stack(hs, 1)


def constant_step(kind, units, features, forget_bias=1.0):
    u = units
    g = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    W, U = np.full((features, g * u), 0.01), np.full((u, g * u), 0.02)
    if kind == "SimpleRNN":
        return lambda x, s: [np.tanh(x @ W + s[0] @ U + 0.03)]
    if kind == "LSTM":
        b = np.full(4 * u, 0.03)
        b[u:2 * u] = forget_bias

        def lstm_step(x, s):
            z = x @ W + s[0] @ U + b
            i, f = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u])
            c = f * s[1] + i * np.tanh(z[:, 2 * u:3 * u])
            return [sigmoid(z[:, 3 * u:]) * np.tanh(c), c]
        return lstm_step

    def gru_step(x, s):  # reset_after=True: bias (2, 3u), both rows 0.03
        a, m = x @ W + 0.03, s[0] @ U + 0.03
        z, r = sigmoid(a[:, :u] + m[:, :u]), sigmoid(a[:, u:2 * u] + m[:, u:2 * u])
        hh = np.tanh(a[:, 2 * u:] + r * m[:, 2 * u:])
        return [z * s[0] + (1 - z) * hh]
    return gru_step


def build(cls, **kwargs):
    with backend.floatx_scope("float64"):
        return cls(**kwargs)


def weights_of(*layers_and_inputs):
    """Call each layer once on its example input (building it), then list the weights that
    grad_check must perturb."""
    out = []
    for layer, x in layers_and_inputs:
        layer(x)
        out += layer.trainable_weights
    assert out
    return out


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("backwards", [False, True])
def test_known_weights_match_a_numpy_loop(kind, backwards):
    layer = build(getattr(layers, kind), units=5, return_sequences=True,
                  go_backwards=backwards, **CONSTANT)
    out = layer(X72).numpy()
    n_states = 2 if kind == "LSTM" else 1
    expected = loop(constant_step(kind, 5, 4), X72, n_states, 5, backwards)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    last = build(getattr(layers, kind), units=5, go_backwards=backwards, **CONSTANT)(X72)
    np.testing.assert_allclose(last.numpy(), expected[:, -1], rtol=1e-10, atol=1e-12)


def test_lstm_unit_forget_bias():
    on = build(layers.LSTM, units=2, **CONSTANT)
    off = build(layers.LSTM, units=2, unit_forget_bias=False, **CONSTANT)
    on(X72), off(X72)
    np.testing.assert_array_equal(on.get_weights()[2], [0.03] * 2 + [1.0] * 2 + [0.03] * 4)
    np.testing.assert_array_equal(off.get_weights()[2], [0.03] * 8)
    expected = loop(constant_step("LSTM", 2, 4, forget_bias=0.03), X72, 2, 2)
    np.testing.assert_allclose(off(X72).numpy(), expected[:, -1], rtol=1e-10)


def test_seed_004_hand_computed_simple_rnn():
    # Seed 004 builds SimpleRNN(units=2) on 5 features and prints, for inputs 1, 2, 3 (five
    # copies each), the hidden x W_xh and the outputs. From the hidden values, W_xh's column
    # sums; from the outputs, W_oo (two steps give two equations per column).
    s = np.array([0.41464037, 0.96012145])
    o = np.array([[0.39240566, 0.74433106], [0.80116504, 0.9912947], [0.95468265, 0.9993069]])
    W_oo = np.linalg.solve(o[:2], np.arctanh(o[1:]) - np.array([[2.0], [3.0]]) * s)
    W_xh = np.tile(s / 5, (5, 1))
    layer = build(layers.SimpleRNN, units=2, use_bias=True, return_sequences=True)
    layer.build((None, None, 5))
    w_xh, w_oo, b_h = layer.weights
    assert (w_xh.shape, w_oo.shape, b_h.shape) == ((5, 2), (2, 2), (2,))
    layer.set_weights([W_xh, W_oo, np.zeros(2)])
    x_seq = np.array([[1.0] * 5, [2.0] * 5, [3.0] * 5]).reshape(1, 3, 5)
    out = layer(x_seq).numpy()[0]
    np.testing.assert_allclose(out, o, atol=2e-6)
    np.testing.assert_allclose(np.tanh(x_seq[0, 0] @ W_xh), o[0], atol=1e-7)


def test_weight_layouts_and_parameter_counts():
    emb, lstm, dense = layers.Embedding(1000, 100), layers.LSTM(100), layers.Dense(46)
    dense(lstm(emb(np.zeros((2, 7), int))))
    assert [w.shape for w in lstm.weights] == [(100, 400), (100, 400), (400,)]
    assert emb.count_params() + lstm.count_params() + dense.count_params() == 185_046
    lstm55 = layers.LSTM(55)
    lstm55(np.zeros((1, 3, 64), np.float32))
    assert lstm55.count_params() == 26_400  # after Conv1D(64) in the seed's IMDB model
    gru = layers.GRU(32)
    gru(np.zeros((1, 3, 14), np.float32))
    assert [w.shape for w in gru.weights] == [(14, 96), (32, 96), (2, 96)]
    assert gru.count_params() == 4_608  # 3 (14 + 32 + 2) 32 with reset_after=True
    gru_v1 = layers.GRU(32, reset_after=False)
    gru_v1(np.zeros((1, 3, 14), np.float32))
    assert gru_v1.count_params() == 4_512  # seed 002's Keras 2 count, 3 (14 + 32 + 1) 32
    rnn = layers.SimpleRNN(32)
    rnn(np.zeros((1, 3, 32), np.float32))
    assert rnn.count_params() == 2_080  # seed 004's summary
    assert [w.path for w in lstm.weights][0].startswith(f"{lstm.name}/")


def test_output_shapes_states_and_masks():
    x = np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32)
    layer = layers.LSTM(4, return_sequences=True, return_state=True)
    seq, h, c = layer(x)
    assert seq.shape == (2, 7, 4) and h.shape == c.shape == (2, 4)
    np.testing.assert_allclose(seq.numpy()[:, -1], h.numpy())
    assert layer.compute_output_shape((None, 7, 3)) == [(None, 7, 4), (None, 4), (None, 4)]
    assert layers.GRU(5).compute_output_shape((None, None, 3)) == (None, 5)
    out, h = layers.GRU(5, return_state=True)(x)
    np.testing.assert_allclose(out.numpy(), h.numpy())
    tm = layers.SimpleRNN(4, time_major=True, return_sequences=True)
    assert tm(x.swapaxes(0, 1)).shape == (7, 2, 4)


def test_mask_skips_steps_and_keeps_previous_output():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 3))
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], bool)
    layer = build(layers.GRU, units=4, return_sequences=True)
    masked = layer(x, mask=mask).numpy()
    # the same as running only the kept steps, repeating the last output at masked ones
    for b in range(2):
        kept = layer(x[b:b + 1, mask[b]]).numpy()[0]
        np.testing.assert_allclose(masked[b, mask[b]], kept, rtol=1e-12)
        for t in np.flatnonzero(~mask[b]):
            np.testing.assert_allclose(masked[b, t], masked[b, t - 1])


def test_initial_state_receives_gradients():
    rng = np.random.default_rng(2)
    with backend.floatx_scope("float64"):
        enc = layers.LSTM(3, return_state=True)
        dec = layers.LSTM(3, return_sequences=True)
    x, y = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 5, 2))

    def seq2seq(x, y):
        _, h, c = enc(x)
        return dec(y, initial_state=[h, c])

    seq2seq(x, y)
    result = grad_check(seq2seq, x, y, wrt=enc.trainable_weights + dec.trainable_weights)
    assert result.ok, str(result)


GRAD_MODES = {
    "last": {},
    "return_sequences": {"return_sequences": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True},
    "return_state": {"return_state": True},
    "masked": {"return_sequences": True},
    "reset_before": {"reset_after": False},
}


@pytest.mark.parametrize("kind,mode", [(kind, mode) for kind in ("SimpleRNN", "LSTM", "GRU")
                                       for mode in sorted(GRAD_MODES)
                                       if mode != "reset_before" or kind == "GRU"])
def test_layer_gradients(kind, mode):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3))
    mask = np.array([[1, 1, 0, 1], [1, 0, 1, 0]], bool) if mode == "masked" else None
    layer = build(getattr(layers, kind), units=3, bias_initializer="random_normal",
                  **GRAD_MODES[mode])
    result = grad_check(lambda x: layer(x, mask=mask), x, wrt=weights_of((layer, x)))
    assert result.ok, str(result)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_dropout_gradients_with_fixed_masks(kind):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 3))
    layer = build(getattr(layers, kind), units=3, dropout=0.3, recurrent_dropout=0.4,
                  return_sequences=True, seed=11)

    def run(x):
        layer.cell.dropout_rng = np.random.default_rng(7)  # the same masks every call
        return layer(x, training=True)

    result = grad_check(run, x, wrt=weights_of((layer, x)))
    assert result.ok, str(result)
    # masks are drawn once per sequence and dropout is off outside training
    assert not np.allclose(run(x).numpy(), layer(x, training=False).numpy())
    np.testing.assert_array_equal(layer(x).numpy(), layer(x, training=False).numpy())


def test_dropout_mask_is_fixed_across_time_steps():
    layer = layers.SimpleRNN(6, dropout=0.5, return_sequences=True, seed=1,
                             kernel_initializer="identity", recurrent_initializer="zeros",
                             activation="linear", use_bias=False)
    x = np.ones((4, 5, 6), np.float32)
    out = layer(x, training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    for t in range(1, 5):  # the same units are dropped at every step
        np.testing.assert_array_equal(out[:, t], out[:, 0])


def test_stateful_carries_and_resets_states():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 3))
    layer = build(layers.LSTM, units=4, stateful=True, batch_input_shape=(2, None, 3))
    whole = build(layers.LSTM, units=4)
    whole(x)
    layer(x[:, :3])
    layer.set_weights(whole.get_weights())
    layer.reset_states()
    layer(x[:, :3])
    second = layer(x[:, 3:]).numpy()  # starts from where the first half ended
    np.testing.assert_allclose(second, whole(x).numpy(), rtol=1e-10)
    layer.reset_states()
    np.testing.assert_allclose(layer(x[:, :3]).numpy(), whole(x[:, :3]).numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="same batch size"):
        layer(x[:1])
    with pytest.raises(AttributeError, match="stateful=True"):
        whole.reset_states()


def test_stateful_gradients_from_a_carried_state():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 3))
    layer = build(layers.GRU, units=3, stateful=True, return_sequences=True)
    carried = [rng.standard_normal((2, 3))]

    def run(x):
        layer.reset_states(carried)
        return layer(x)

    result = grad_check(run, x, wrt=weights_of((layer, x)))
    assert result.ok, str(result)
    assert not np.allclose(run(x).numpy(), layer(x).numpy())  # the state moved on


def test_custom_activation_runs_the_step_loop_with_the_same_numbers():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 3))
    fused = build(layers.LSTM, units=3, return_sequences=True)
    fused(x)
    looped = build(layers.LSTM, units=3, return_sequences=True,
                   activation=lambda t: saessak.ops.tanh(t))
    looped(x)
    looped.set_weights(fused.get_weights())
    mask = np.array([[1, 1, 0, 1, 1], [1, 0, 1, 0, 0]], bool)
    for kwargs in ({}, {"mask": mask}):
        np.testing.assert_allclose(looped(x, **kwargs).numpy(), fused(x, **kwargs).numpy(),
                                   rtol=1e-12)
    result = grad_check(lambda x: looped(x, mask=mask), x, wrt=looped.trainable_weights)
    assert result.ok, str(result)


def test_config_round_trip_and_argument_errors():
    layer = layers.GRU(7, dropout=0.1, recurrent_dropout=0.2, reset_after=False,
                       return_sequences=True, go_backwards=True, activation="relu")
    config = layer.get_config()
    clone = layers.GRU.from_config(config)
    assert clone.get_config() == config
    assert (clone.units, clone.reset_after, clone.go_backwards) == (7, False, True)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="dropout must be a float in"):
        layers.GRU(3, dropout=1.5)
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        layers.LSTM(3)(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match="unexpected keyword"):
        layers.LSTM(3, bogus=1)


def test_seed_001_imdb_conv_lstm_parameter_count():
    stack = [layers.Embedding(5000, 100), layers.Dropout(0.5),
             layers.Conv1D(64, 5, padding="valid", activation="relu", strides=1),
             layers.MaxPooling1D(pool_size=4), layers.LSTM(55), layers.Dense(1),
             layers.Activation("sigmoid")]
    h = np.zeros((2, 30), int)
    for layer in stack:
        h = layer(h)
    assert h.shape == (2, 1)
    assert [layer.count_params() for layer in stack] == [500_000, 0, 32_064, 0, 26_400, 56, 0]
    assert sum(layer.count_params() for layer in stack) == 558_520

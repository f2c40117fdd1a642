"""Every compiled kernel treats NaN and inf as its NumPy reference does.

A compiled loop that writes ``v if v > 0 else 0`` turns NaN into 0: after a NaN input the
loss looks finite while the weights are NaN, and ``TerminateOnNaN`` never fires. Each case
runs one op twice on the same float32 data holding NaN, +inf and -inf (in the inputs, and
separately in the upstream gradient): once through the numba kernels and once with them
switched off. NaN must sit in the same places, infinities must agree with their sign, and
finite values must agree within float32 rounding.
"""

import numpy as np
import pytest

import saessak
from saessak import Tensor, _numba, ops
from saessak.autograd import Variable
from saessak.ops import _conv_numba, _fused_numba, _rnn_numba
from saessak.optimizers import adam as _adam

pytestmark = [
    pytest.mark.skipif(not _numba.ENABLED,
                       reason="numba (the 'fast' extra) not installed or disabled"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # NaN arithmetic, on purpose
]

KERNEL_MODULES = (_numba, _fused_numba, _conv_numba, _rnn_numba, _adam)
SPECIALS = (np.nan, np.inf, -np.inf)


def poisoned(rng, shape, count=3):
    """Normal float32 values with ``count`` of each of NaN, +inf and -inf at random places."""
    a = rng.normal(size=shape).astype(np.float32)
    flat = a.reshape(-1)
    places = rng.choice(flat.size, size=min(flat.size, count * len(SPECIALS)), replace=False)
    for i, where in enumerate(places):
        flat[where] = SPECIALS[i % len(SPECIALS)]
    return a


def run(fn, inputs, upstream, compiled, monkeypatch):
    """Outputs of ``fn(*tensors)`` and the gradients of sum(out * upstream), with every
    kernel module switched on or off."""
    for module in KERNEL_MODULES:
        monkeypatch.setattr(module, "ENABLED", compiled and module.ENABLED)
    tensors = [Tensor(x.copy(), requires_grad=True) for x in inputs]
    outs = fn(*tensors)
    outs = outs if isinstance(outs, tuple) else (outs,)
    loss = None
    for out, up in zip(outs, upstream):
        term = (out * Tensor(np.asarray(up, out.dtype))).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    monkeypatch.undo()
    return [o.numpy() for o in outs] + [t.grad for t in tensors]


def assert_same_specials(compiled, reference, rtol=1e-4):
    """Same NaN places, same infinities, finite values close."""
    for c, r in zip(compiled, reference):
        c, r = np.asarray(c, np.float64), np.asarray(r, np.float64)
        np.testing.assert_array_equal(np.isnan(c), np.isnan(r), err_msg="NaN places differ")
        np.testing.assert_array_equal(np.isposinf(c), np.isposinf(r), err_msg="+inf differs")
        np.testing.assert_array_equal(np.isneginf(c), np.isneginf(r), err_msg="-inf differs")
        finite = np.isfinite(r)
        scale = np.abs(r[finite]).max(initial=0) + 1e-30
        np.testing.assert_allclose(c[finite], r[finite], rtol=rtol, atol=rtol * scale)


def check(fn, inputs, out_shapes, monkeypatch, seed=0, rtol=1e-4):
    """Poisoned inputs with clean gradients, then clean inputs with poisoned gradients."""
    rng = np.random.default_rng(seed)
    clean_up = [rng.normal(size=s).astype(np.float32) for s in out_shapes]
    bad_up = [poisoned(rng, s) for s in out_shapes]
    clean_in = [np.asarray(x, np.float32) for x in inputs]
    bad_in = [poisoned(rng, x.shape) for x in clean_in]
    for xs, ups in ((bad_in, clean_up), (clean_in, bad_up)):
        fast = run(fn, xs, ups, True, monkeypatch)
        reference = run(fn, xs, ups, False, monkeypatch)
        assert_same_specials(fast, reference, rtol)
    return fast


# --- one case per kernel ---------------------------------------------------------------------


def test_dense_relu_keeps_nan_and_matches_numpy(monkeypatch):
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(16, 8)), rng.normal(size=(8, 12)), rng.normal(size=12)
    check(lambda x, w, b: ops.linear(x, w, b, relu=True), [x, w, b], [(16, 12)], monkeypatch)
    # the failure of the review: NaN in, NaN out (it was 0 after bias_relu)
    y = np.array([[np.nan, 1.0, -np.inf, np.inf]], np.float32)
    _fused_numba.bias_relu(y, np.zeros(4, np.float32))
    np.testing.assert_array_equal(y, np.maximum(np.array([[np.nan, 1, -np.inf, np.inf]]), 0))


def test_relu_backward_matches_numpy(monkeypatch):
    rng = np.random.default_rng(2)
    check(ops.relu, [rng.normal(size=(9, 7))], [(9, 7)], monkeypatch)


def test_attention_softmax_and_its_backward(monkeypatch):
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(2, 5, 4)) for _ in range(3))
    mask = rng.random((5, 5)) > 0.3
    mask[:, 0] = True

    def fn(q, k, v):
        return ops.scaled_dot_product_attention(q, k, v, mask=mask)

    check(fn, [q, k, v], [(2, 5, 4), (2, 5, 5)], monkeypatch)


def test_layer_norm_and_its_backward(monkeypatch):
    rng = np.random.default_rng(4)
    x, gamma, beta = rng.normal(size=(6, 10)), rng.normal(size=10), rng.normal(size=10)
    check(lambda x, g, b: ops.layer_norm(x, g, b), [x, gamma, beta], [(6, 10)], monkeypatch)


def test_max_pool_propagates_nan_like_numpy_maximum(monkeypatch):
    rng = np.random.default_rng(5)
    for pool, strides in (((2, 2), None), ((3, 3), (1, 1))):
        check(lambda x, p=pool, s=strides: ops.max_pool(x, p, s),
              [rng.normal(size=(2, 6, 6, 3))],
              [ops.max_pool(Tensor(np.zeros((2, 6, 6, 3), np.float32)), pool, strides).shape],
              monkeypatch)
    x = np.zeros((1, 2, 2, 1), np.float32)
    x[0, 1, 1, 0] = np.nan  # a NaN in a later position of the window wins, as np.maximum
    assert np.isnan(ops.max_pool(Tensor(x), (2, 2)).numpy()).all()


def test_convolution_col2im(monkeypatch):
    rng = np.random.default_rng(6)
    x, kernel = rng.normal(size=(2, 7, 7, 3)), rng.normal(size=(3, 3, 3, 4))
    check(lambda x, k: ops.conv2d(x, k, strides=2), [x, kernel], [(2, 3, 3, 4)], monkeypatch)


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_v1", "simple"])
def test_recurrent_gates(monkeypatch, cell):
    rng = np.random.default_rng(7)
    batch, steps, features, units = 3, 5, 4, 6
    width = {"lstm": 4, "gru": 3, "gru_v1": 3, "simple": 1}[cell] * units
    x = rng.normal(size=(batch, steps, features))
    kernel = rng.normal(size=(features, width)) * 0.5
    recurrent = rng.normal(size=(units, width)) * 0.5
    bias = rng.normal(size=(2, width) if cell == "gru" else (width,)) * 0.1
    mask = np.ones((batch, steps), bool)
    mask[1, 2] = False  # a masked step copies its state

    def fn(x, k, r, b):
        kw = dict(mask=mask, return_sequences=True)
        if cell == "lstm":
            return ops.lstm(x, k, r, b, **kw)[0]
        if cell == "simple":
            return ops.simple_rnn(x, k, r, b, **kw)[0]
        return ops.gru(x, k, r, b, reset_after=cell == "gru", **kw)[0]

    check(fn, [x, kernel, recurrent, bias], [(batch, steps, units)], monkeypatch)


def test_embedding_scatter_add(monkeypatch):
    ids = np.array([[0, 2, 2], [1, 0, 3]])

    def fn(table):
        return ops.embedding_lookup(table, ids)

    check(fn, [np.random.default_rng(8).normal(size=(4, 5))], [(2, 3, 5)], monkeypatch)


def test_adam_update_with_nan_and_inf_gradients(monkeypatch):
    rng = np.random.default_rng(9)
    w0 = rng.normal(size=(4, 6)).astype(np.float32)
    grads = [rng.normal(size=(4, 6)).astype(np.float32), poisoned(rng, (4, 6)),
             rng.normal(size=(4, 6)).astype(np.float32)]

    def train(compiled):
        monkeypatch.setattr(_adam, "ENABLED", compiled and _adam.ENABLED)
        var = Variable(w0.copy())
        opt = saessak.optimizers.Adam(0.01)
        for g in grads:
            opt.apply_gradients([(g, var)])
        monkeypatch.undo()
        return [var.numpy(), *opt.get_state().values()]

    fast, reference = train(True), train(False)
    assert np.isnan(fast[0]).any()  # the poisoned step really reached the weights
    assert_same_specials(fast, reference, rtol=1e-6)


def test_terminate_on_nan_fires_after_a_nan_input_through_dense_relu():
    """The review's end-to-end case: a NaN sample must stop training, not hide."""
    saessak.utils.set_random_seed(0)
    model = saessak.Sequential([saessak.layers.Dense(8, activation="relu", input_shape=(3,)),
                                saessak.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 3), np.float32)
    x[3, 1] = np.nan
    history = model.fit(x, np.zeros(8), batch_size=8, epochs=3, verbose=0,
                        callbacks=[saessak.callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1 and np.isnan(history.history["loss"][0])

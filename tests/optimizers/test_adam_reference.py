"""Adam's compiled step against its three-line reference (saessak.optimizers.adam).

The compiled step (numba, the 'fast' extra) promises the reference's exact bits: the same
operations in the same order, with the constants cast to the weights' dtype as NumPy casts
a Python float. The reference itself is checked against Adam written with the bias
corrections spelled out.
"""

import math

import numpy as np
import pytest

from saessak import optimizers
from saessak.autograd.variable import Variable
from saessak.optimizers import adam as adam_module

needs_numba = pytest.mark.skipif(not adam_module.ENABLED,
                                 reason="numba (the 'fast' extra) not installed")

OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(0.01),
    "amsgrad": lambda: optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
    "adamw_amsgrad": lambda: optimizers.AdamW(0.02, weight_decay=0.05, amsgrad=True),
}


def train(make, dtype, steps=6):
    """The weights and every slot after ``steps`` updates on fixed random gradients."""
    rng = np.random.default_rng(1)
    var, opt = Variable(rng.standard_normal((37, 5)).astype(dtype)), make()
    for k in range(steps):
        # growing then shrinking gradients, so that AMSGrad's max(v_hat, v) really holds on
        var.grad = (rng.standard_normal((37, 5)) * (3.0 if k == 2 else 0.5)).astype(dtype)
        opt.step([var])
    return [var.numpy()] + [np.asarray(s) for s in opt.get_state().values()]


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_compiled_step_gives_the_references_bits(name, dtype, monkeypatch):
    calls = []
    loop = adam_module._adam_loop
    monkeypatch.setattr(adam_module, "_adam_loop", lambda *a: calls.append(1) or loop(*a))
    fast = train(OPTIMIZERS[name], dtype)
    assert len(calls) == 6  # one compiled pass per step: the compiled path really ran
    monkeypatch.setattr(adam_module, "ENABLED", False)
    reference = train(OPTIMIZERS[name], dtype)
    assert len(calls) == 6  # ... and the second run took the reference
    assert len(fast) == len(reference) >= 3
    for f, r in zip(fast, reference):
        assert f.dtype == r.dtype
        np.testing.assert_array_equal(f, r)


@needs_numba
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN arithmetic, on purpose
@pytest.mark.parametrize("amsgrad", [False, True])
def test_compiled_step_keeps_nan_and_inf_where_the_reference_does(amsgrad):
    rng = np.random.default_rng(3)
    g = rng.standard_normal(40).astype(np.float32)
    g[[3, 11, 25]] = [np.nan, np.inf, -np.inf]
    arrays = {}
    for step in (adam_module.adam_compiled, adam_module.adam_reference):
        w, m, v = (np.ones(40, np.float32), np.full(40, 0.1, np.float32),
                   np.full(40, 0.2, np.float32))
        v_max = None
        if amsgrad:  # a NaN already in v_max must stay (np.maximum's rule)
            v_max = np.full(40, 0.5, np.float32)
            v_max[7] = np.nan
        step(w, g, m, v, v_max, 0.9, 0.999, 0.003, 1e-7)
        arrays[step.__name__] = [w, m, v] + ([v_max] if amsgrad else [])
    for f, r in zip(arrays["adam_compiled"], arrays["adam_reference"]):
        np.testing.assert_array_equal(f, r)  # (NaN in the same places counts as equal)
    w = arrays["adam_reference"][0]
    assert np.isnan(w[[3, 11, 25]]).all() and np.isnan(w[7]) == amsgrad


def test_reference_is_adam_with_the_corrections_spelled_out():
    """Kingma & Ba with Keras's epsilon: w -= lr m_hat / (sqrt(v_hat) + eps / sqrt(1 - b2^t)),
    i.e. alpha m / (sqrt(v) + eps) with alpha = lr sqrt(1 - b2^t) / (1 - b1^t)."""
    rng = np.random.default_rng(0)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, v = rng.standard_normal(8), np.zeros(8), np.zeros(8)
    w_book, m_book, v_book = w.copy(), np.zeros(8), np.zeros(8)
    for t in range(1, 5):
        g = rng.standard_normal(8)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        adam_module.adam_reference(w, g, m, v, None, b1, b2, alpha, eps)
        m_book = b1 * m_book + (1 - b1) * g
        v_book = b2 * v_book + (1 - b2) * g**2
        m_hat, v_hat = m_book / (1 - b1**t), v_book / (1 - b2**t)
        w_book = w_book - lr * m_hat / (np.sqrt(v_hat) + eps / math.sqrt(1 - b2**t))
        np.testing.assert_allclose(w, w_book, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(m, m_book, rtol=1e-12)
        np.testing.assert_allclose(v, v_book, rtol=1e-12)


def test_reference_amsgrad_divides_by_the_largest_v():
    w, m, v = np.zeros(2), np.zeros(2), np.array([4.0, 1.0])
    v_max = np.array([1.0, 9.0])
    adam_module.adam_reference(w, np.zeros(2), m, v, v_max, 0.9, 0.5, 1.0, 0.0)
    np.testing.assert_array_equal(v, [2.0, 0.5])
    np.testing.assert_array_equal(v_max, [2.0, 9.0])


def test_non_contiguous_weights_take_the_reference(monkeypatch):
    """The one selection point: arrays the compiled loop cannot take go to the reference."""
    taken = []
    for name in ("adam_compiled", "adam_reference"):
        original = getattr(adam_module, name)
        monkeypatch.setattr(adam_module, name,
                            lambda *a, _n=name, _f=original, **k: taken.append(_n) or _f(*a, **k))
    opt = optimizers.Adam(0.01)
    opt._alpha = 0.01
    w = np.ones((4, 6), np.float32)[:, ::2]  # a strided view
    slots = [np.zeros_like(w), np.zeros_like(w)]
    opt._update(w, np.ones_like(w), slots, 0.01)
    assert taken == ["adam_reference"]
    assert (w < 1).all()

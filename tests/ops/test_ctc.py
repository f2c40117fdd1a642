"""saessak.ops.ctc: Keras 3's ctc_loss / ctc_decode and tf.keras 2's ctc_batch_cost /
backend.ctc_decode.

Values and gradients are checked against real Keras 3 (TensorFlow backend) and tf.keras 2
through ``tests/fixtures/keras/ctc.npz`` (``scripts/make_ctc_fixture.py``), gradients also
against central finite differences in float64, and one case by hand.
"""

import itertools
import json
import math
import os
import time

import numpy as np
import pytest

from saessak import Tensor, grad_check
from saessak.ops.ctc import (
    TF_LOG_ZERO,
    backend_ctc_decode,
    ctc_batch_cost,
    ctc_decode,
    ctc_loss,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "ctc.npz")
DATA = dict(np.load(FIXTURE))
R = np.random.default_rng(5)


def _case(prefix, case):
    key = f"{prefix}_{case}__"
    return {k[len(key):]: v for k, v in DATA.items() if k.startswith(key)}


def _cases(prefix):
    return sorted({k.split("__")[0][len(prefix) + 1:] for k in DATA if k.startswith(prefix + "_")})


def _aligns(target, target_length, output_length):
    """Whether each row has room for its labels and the blanks between repeats."""
    out = []
    for row, n, t in zip(target, target_length, output_length):
        labels = row[:n]
        repeats = int(np.sum(labels[1:] == labels[:-1])) if n > 1 else 0
        out.append(n + repeats <= t)
    return np.array(out)


# --- the loss against Keras 3 ------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("loss"))
def test_ctc_loss_matches_keras(case):
    c = _case("loss", case)
    x = Tensor(c["logits"], requires_grad=True)
    loss = ctc_loss(c["target"], x, c["target_length"], c["output_length"],
                    mask_index=int(c["mask_index"]))
    assert loss.dtype == np.float32 and loss.shape == c["loss"].shape
    # TensorFlow runs in float32: its loss is good to a few ulps (1.2e-7 relative)
    np.testing.assert_allclose(loss.numpy(), c["loss"], rtol=1e-5)
    (loss * Tensor(c["weights"])).sum().backward()
    assert x.grad.dtype == np.float32
    ok = _aligns(c["target"], c["target_length"], c["output_length"])
    scale = np.abs(c["grad"]).max()
    np.testing.assert_allclose(x.grad[ok], c["grad"][ok], rtol=0, atol=1e-5 * scale)
    if not ok.all():
        # rows that cannot align sit near log(1e-307) = -706.9, where float32 is spaced
        # 6.1e-5 apart: TensorFlow's posteriors there carry that relative error
        np.testing.assert_allclose(x.grad[~ok], c["grad"][~ok], rtol=0, atol=2e-4 * scale)


def test_ctc_loss_impossible_rows_are_finite_as_in_keras():
    c = _case("loss", "impossible")
    ok = _aligns(c["target"], c["target_length"], c["output_length"])
    assert list(ok) == [False, False, True]
    loss = ctc_loss(c["target"], c["logits"], c["target_length"], c["output_length"]).numpy()
    assert np.all(np.isfinite(loss))
    assert np.all(loss[~ok] > -TF_LOG_ZERO) and loss[ok][0] < 100


def test_ctc_loss_float64_keeps_float64():
    c = _case("loss", "long")
    x = Tensor(c["logits"].astype(np.float64), requires_grad=True)
    loss = ctc_loss(c["target"], x, c["target_length"], c["output_length"])
    assert loss.dtype == np.float64
    np.testing.assert_allclose(loss.numpy(), c["loss"], rtol=1e-5)
    (loss * Tensor(c["weights"].astype(np.float64))).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, c["grad"], rtol=0, atol=1e-5 * np.abs(c["grad"]).max())


def test_ctc_loss_integer_logits_give_float32():
    loss = ctc_loss([[1]], np.zeros((1, 3, 2), np.int32), [1], [3])
    assert loss.dtype == np.float32
    # uniform over (blank, a), 3 steps: the alignments that read "a" hold one run of a's,
    # aaa aa- -aa a-- -a- --a: 6 of the 8, each 1/8, so the loss is log(8/6)
    np.testing.assert_allclose(loss.numpy(), [math.log(8 / 6)], rtol=1e-6)


def test_negative_mask_index_counts_from_the_end():
    c = _case("loss", "mask_last")
    a = ctc_loss(c["target"], c["logits"], c["target_length"], c["output_length"], -1)
    np.testing.assert_allclose(a.numpy(), c["loss"], rtol=1e-5)


# --- by hand -----------------------------------------------------------------------------


def test_tiny_case_by_hand():
    # Two steps, classes (blank, "a"), target "a". Logits [0, log 3] give p = (1/4, 3/4) at
    # t = 0; [0, 0] give (1/2, 1/2) at t = 1. The alignments that collapse to "a" are
    # "aa", "a-" and "-a":  P = 3/4 * 1/2 + 3/4 * 1/2 + 1/4 * 1/2 = 7/8, loss = log(8/7).
    # Posteriors: at t = 0, "a" is in "aa" and "a-" (6/8 of 7/8: 6/7), the blank 1/7;
    # at t = 1, "a" in "aa" and "-a" (4/8 of 7/8: 4/7), the blank 3/7. The gradient is
    # softmax - posterior: t = 0: (1/4 - 1/7, 3/4 - 6/7) = (3/28, -3/28);
    #                      t = 1: (1/2 - 3/7, 1/2 - 4/7) = (1/14, -1/14).
    x = Tensor(np.array([[[0.0, math.log(3.0)], [0.0, 0.0]]]), requires_grad=True)
    loss = ctc_loss([[1]], x, [1], [2])
    assert loss.dtype == np.float64
    np.testing.assert_allclose(loss.numpy(), [math.log(8 / 7)], rtol=1e-12)
    loss.sum().backward()
    expected = np.array([[[3 / 28, -3 / 28], [1 / 14, -1 / 14]]])
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12, atol=1e-15)


def test_repeat_needs_its_blank_by_hand():
    # "aa" over uniform (blank, a): three steps admit one alignment, "a-a": P = 1/8.
    x = np.zeros((1, 3, 2))
    np.testing.assert_allclose(ctc_loss([[1, 1]], x, [2], [3]).numpy(), [math.log(8)])
    # Two steps admit none. From the start state the four 2-step paths (1/4 each) all end
    # off the final states, which TensorFlow weighs by 1e-307: P = 1e-307, the loss is
    # -log(1e-307) exactly, where a true CTC loss would be inf.
    loss = ctc_loss([[1, 1]], np.zeros((1, 2, 2)), [2], [2]).numpy()
    np.testing.assert_allclose(loss, [-TF_LOG_ZERO], rtol=1e-12)
    # tf.keras 2's ctc_batch_cost (blank last) gives inf there
    p = np.full((1, 2, 2), 0.5)
    assert np.isinf(ctc_batch_cost([[0, 0]], p, [[2]], [[2]]).numpy()).all()


# --- gradients against finite differences -------------------------------------------------


def test_ctc_loss_gradient_finite_differences():
    target = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 0, 0, 0]])
    tl, ol = [3, 2, 1], [7, 5, 3]
    x = R.normal(0, 1.5, (3, 7, 4))
    result = grad_check(lambda z: ctc_loss(target, z, tl, ol), x)
    assert result.ok, result


def test_ctc_loss_gradient_mask_in_the_middle():
    target = np.array([[0, 3, 3], [1, 0, 4]])
    x = R.normal(0, 1.5, (2, 6, 5))
    result = grad_check(lambda z: ctc_loss(target, z, [3, 3], [6, 5], mask_index=2), x)
    assert result.ok, result


def test_ctc_batch_cost_gradient_finite_differences():
    y_true = np.array([[0, 1, 1], [2, 0, 0]])
    p = R.uniform(0.05, 1.0, (2, 6, 4))
    result = grad_check(lambda q: ctc_batch_cost(y_true, q, [[6], [4]], [[3], [1]]), p)
    assert result.ok, result


# --- per-example lengths -----------------------------------------------------------------


def test_each_row_is_its_own_problem():
    target = np.array([[2, 1, 2, 3], [4, 4, 0, 0], [1, 0, 0, 0]])
    tl, ol = np.array([4, 2, 1]), np.array([9, 6, 2])
    x = Tensor(R.normal(0, 1, (3, 9, 5)), requires_grad=True)
    loss = ctc_loss(target, x, tl, ol)
    loss.sum().backward()
    for b in range(3):
        xb = Tensor(x.data[b:b + 1, :ol[b]].copy(), requires_grad=True)
        alone = ctc_loss(target[b:b + 1, :tl[b]], xb, tl[b:b + 1], ol[b:b + 1])
        alone.sum().backward()
        np.testing.assert_allclose(loss.numpy()[b], alone.numpy()[0], rtol=1e-12)
        np.testing.assert_allclose(x.grad[b, :ol[b]], xb.grad[0], rtol=1e-10, atol=1e-13)
        assert not x.grad[b, ol[b]:].any()  # steps past the length get no gradient
    # what lies past the lengths does not matter
    y = x.data.copy()
    y[1, 6:] = 50.0
    padded = target.copy()
    padded[2, 1:] = 3
    np.testing.assert_allclose(ctc_loss(padded, y, tl, ol).numpy(), loss.numpy(), rtol=1e-12)


def test_empty_target_is_all_blanks():
    x = R.normal(0, 1, (1, 4, 3))
    lp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    loss = ctc_loss(np.zeros((1, 2), int), x, [0], [4]).numpy()
    np.testing.assert_allclose(loss, [-lp[0, :, 0].sum()], rtol=1e-12)


# --- tf.keras 2's ctc_batch_cost ------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("batch"))
def test_ctc_batch_cost_matches_tf_keras(case):
    c = _case("batch", case)
    p = Tensor(c["y_pred"], requires_grad=True)
    loss = ctc_batch_cost(c["y_true"].astype(np.float32), p, c["input_length"],
                          c["label_length"])
    assert loss.shape == c["loss"].shape == (len(p), 1)
    assert loss.dtype == np.float32
    finite = np.isfinite(c["loss"])
    np.testing.assert_array_equal(np.isfinite(loss.numpy()), finite)
    np.testing.assert_allclose(loss.numpy()[finite], c["loss"][finite], rtol=1e-5)
    (loss * Tensor(c["weights"])).sum().backward()
    # compare in logit space, z = log(p + eps): dL/dz = dL/dp * (p + eps), of size <= 1.5
    # here, while dL/dp holds 1/p factors that magnify TensorFlow's float32 rounding
    pe = c["y_pred"].astype(np.float64) + 1e-7
    expected = c["grad"] * pe
    np.testing.assert_allclose(p.grad * pe, expected, rtol=0,
                               atol=1e-5 * np.abs(expected).max())


def test_ctc_batch_cost_row_that_cannot_align_gets_softmax_gradient():
    c = _case("batch", "inf")
    p = Tensor(c["y_pred"], requires_grad=True)
    loss = ctc_batch_cost(c["y_true"], p, c["input_length"], c["label_length"])
    assert np.isinf(loss.numpy()[1, 0]) and np.isfinite(loss.numpy()[0, 0])
    (loss * Tensor(c["weights"])).sum().backward()
    # d/dp of -log softmax-mass with no path: softmax(log(p + eps)) / (p + eps) = 1 / sum
    n = int(c["input_length"][1, 0])
    w = c["weights"][1, 0] / (1 + 5 * 1e-7)
    np.testing.assert_allclose(p.grad[1, :n], w, rtol=1e-5)
    assert not p.grad[1, n:].any()


def test_ctc_batch_cost_trailing_nulls_end_the_labels():
    p = R.uniform(0.1, 1.0, (3, 6, 4))
    p /= p.sum(-1, keepdims=True)
    padded = ctc_batch_cost([[1, 2, 3, 99], [0, 3, 3, 3], [3, 99, 3, 7]], p, [[6]] * 3,
                            [[4]] * 3).numpy()
    plain = ctc_batch_cost([[1, 2], [0, 0]], p[:2], [[6]] * 2, [[2], [1]]).numpy()
    np.testing.assert_allclose(padded[:2], plain, rtol=1e-12)
    # nulls only: the empty labelling, every step a blank
    z = np.log(p[2] + 1e-7)
    blank = z[:, 3] - np.log(np.exp(z).sum(-1))
    np.testing.assert_allclose(padded[2], [-blank.sum()], rtol=1e-12)


# --- decoding against Keras 3 and tf.keras 2 -----------------------------------------------


@pytest.mark.parametrize("case", _cases("decode"))
def test_ctc_decode_matches_keras(case):
    c = _case("decode", case)
    kwargs = json.loads(str(c["call"]))
    decoded, scores = ctc_decode(c["inputs"], c["lengths"], **kwargs)
    assert decoded.dtype == np.int32 and scores.dtype == np.float32
    assert decoded.shape == c["decoded"].shape and scores.shape == c["scores"].shape
    np.testing.assert_array_equal(decoded.numpy(), c["decoded"])
    np.testing.assert_allclose(scores.numpy(), c["scores"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", _cases("k2decode"))
def test_backend_ctc_decode_matches_tf_keras(case):
    c = _case("k2decode", case)
    kwargs = json.loads(str(c["call"]))
    decoded, scores = backend_ctc_decode(c["y_pred"], c["input_length"], **kwargs)
    assert isinstance(decoded, list) and all(d.dtype == np.int64 for d in decoded)
    np.testing.assert_array_equal(np.stack([d.numpy() for d in decoded]), c["decoded"])
    assert scores.dtype == np.float32 and scores.shape == c["scores"].shape
    np.testing.assert_allclose(scores.numpy(), c["scores"], rtol=1e-5, atol=1e-6)


def test_tf_keras_beam_search_merges_repeats_of_a_path():
    c = _case("k2decode", "merge")
    decoded, scores = backend_ctc_decode(c["y_pred"], c["input_length"], greedy=False,
                                         beam_width=4, top_paths=3)
    # the paths "a" and "a a" lead; tf.compat.v1's merge prints both as "a"
    np.testing.assert_array_equal([d.numpy()[0] for d in decoded],
                                  [[1, -1, -1], [1, -1, -1], [1, 0, -1]])
    assert scores.numpy()[0, 0] > scores.numpy()[0, 1]
    # Keras 3's beam search keeps them apart
    decoded, _ = ctc_decode(np.log(c["y_pred"]), [3], strategy="beam_search", beam_width=4,
                            top_paths=3, mask_index=2)
    np.testing.assert_array_equal(decoded.numpy()[:, 0], [[1, -1, -1], [1, 1, -1], [1, 0, -1]])


def test_wide_beam_search_is_exact():
    """With a beam wider than the number of prefixes nothing is pruned: the best path is
    the labelling of highest total probability, and its score is that probability, which
    the loss computes independently (loss = -log P(labels))."""
    x = R.normal(0, 1.5, (2, 4, 3))
    decoded, scores = ctc_decode(x.astype(np.float64), [4, 3], strategy="beam_search",
                                 beam_width=200, top_paths=3)
    assert scores.dtype == np.float64
    for b, n in enumerate([4, 3]):
        options = [()] + [s for k in range(1, n + 1)
                          for s in itertools.product([1, 2], repeat=k)]
        logp = {}
        for s in options:
            t = np.array([s], int) if s else np.zeros((1, 1), int)
            logp[s] = -ctc_loss(t, x[b:b + 1], [len(s)], [n]).numpy()[0]
        best = sorted(logp, key=logp.get, reverse=True)[:3]
        for k, s in enumerate(best):
            row = decoded.numpy()[k, b]
            assert tuple(row[row >= 0]) == s
            np.testing.assert_allclose(scores.numpy()[b, k], logp[s], rtol=1e-10)
        np.testing.assert_allclose(np.logaddexp.reduce(list(logp.values())), 0.0, atol=1e-10)


def test_greedy_decode_by_hand():
    # argmax per step: 1 1 0 1 2 2 (blank 0) -> merged "1 1 2"; unmerged "1 1 1 2 2"
    steps = [1, 1, 0, 1, 2, 2]
    x = np.full((1, 6, 3), -1.0)
    x[0, np.arange(6), steps] = [2.0, 1.0, 3.0, 0.5, 1.5, 2.5]
    decoded, scores = ctc_decode(x, [6])
    np.testing.assert_array_equal(decoded.numpy(), [[[1, 1, 2, -1, -1, -1]]])
    np.testing.assert_allclose(scores.numpy(), [[-10.5]])
    decoded, _ = ctc_decode(x, [6], merge_repeated=False)
    np.testing.assert_array_equal(decoded.numpy(), [[[1, 1, 1, 2, 2, -1]]])
    decoded, scores = ctc_decode(x, [4], mask_index=None)  # blank 2; four steps
    np.testing.assert_array_equal(decoded.numpy(), [[[1, 0, 1, -1, -1, -1]]])
    np.testing.assert_allclose(scores.numpy(), [[-6.5]])


# --- errors ------------------------------------------------------------------------------


X = np.zeros((2, 5, 4), np.float32)
T = np.array([[1, 2], [3, 0]])


@pytest.mark.parametrize("args, message", [
    ((T, X[0], [2, 1], [5, 5]), "output must have rank 3"),
    ((T[0], X, [2, 1], [5, 5]), "target must have rank 2"),
    ((T[:1], X, [2, 1], [5, 5]), "target has 1 rows for a batch of 2"),
    ((T, X, [[2], [1]], [5, 5]), "target_length must have rank 1"),
    ((T, X, [2, 1, 1], [5, 5]), "target_length has 3 entries"),
    ((T, X, [2, 1], [5, 6]), r"output_length 6 is longer than the output's time steps \(5\)"),
    ((T, X, [3, 1], [5, 5]), r"target_length 3 is longer than the target's width \(2\)"),
    ((T, X, [2, -1], [5, 5]), "target_length must not be negative"),
    ((np.array([[1, 4], [3, 0]]), X, [2, 1], [5, 5]), r"target\[0, 1\] = 4 is not a label"),
    ((np.array([[1, 0], [3, 0]]), X, [2, 1], [5, 5]), r"differ from the blank \(mask index\) 0"),
    ((np.array([[-1, 2], [3, 0]]), X, [2, 1], [5, 5]), r"target\[0, 0\] = -1"),
])
def test_ctc_loss_errors(args, message):
    with pytest.raises(ValueError, match=message):
        ctc_loss(*args)


def test_ctc_loss_mask_index_errors():
    with pytest.raises(ValueError, match="mask_index 4 is out of range for 4 classes"):
        ctc_loss(T, X, [2, 1], [5, 5], mask_index=4)
    with pytest.raises(TypeError, match="mask_index must be an integer"):
        ctc_loss(T, X, [2, 1], [5, 5], mask_index=None)
    with pytest.raises(TypeError, match="target must hold integers"):
        ctc_loss(np.array([["a"]]), X[:1], [1], [5])


@pytest.mark.parametrize("args, message", [
    (([[0, 1]], X[:1], [[5]], [[0]]), "label_length is zero in batch 0"),
    (([[0, 1]], X[:1], [[1]], [[2]]), r"not enough time steps .* \(required: 2, available: 1\)"),
    (([[0, 3, 1]], X[:1], [[5]], [[3]]), r"a label below 3 follows a null label .* \[0, 3, 1\]"),
    (([[0, -1]], X[:1], [[5]], [[2]]), r"labels must not be negative; batch 0 holds \[0, -1\]"),
    (([[0, 1]], X[:1], [5], [[2]]), r"input_length must have shape \(batch, 1\)"),
    (([[0, 1]], X[:1], [[6]], [[2]]), "input_length 6 is longer than y_pred's time steps"),
])
def test_ctc_batch_cost_errors(args, message):
    with pytest.raises(ValueError, match=message):
        ctc_batch_cost(*args)


def test_ctc_decode_errors():
    with pytest.raises(ValueError, match="Invalid strategy beam"):
        ctc_decode(X, [5, 5], strategy="beam")
    with pytest.raises(ValueError, match="inputs must have rank 3"):
        ctc_decode(X[0], [5])
    with pytest.raises(ValueError, match="sequence_lengths 6 is longer than"):
        ctc_decode(X, [5, 6])
    with pytest.raises(ValueError, match=r"top_paths \(3\) cannot exceed beam_width \(2\)"):
        ctc_decode(X, [5, 5], strategy="beam_search", beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match="beam_width must be a positive integer"):
        ctc_decode(X, [5, 5], strategy="beam_search", beam_width=0)
    with pytest.raises(ValueError, match="ended with only 1 beams"):  # nothing to extend
        ctc_decode(X, [5, 0], strategy="beam_search", top_paths=2)


# --- speed -------------------------------------------------------------------------------


def test_loss_forward_backward_is_quick():
    """Batch 16, 50 steps, 20 classes, 5 labels: a few milliseconds (under 0.2 s even on a
    loaded machine)."""
    x = Tensor(R.normal(0, 1, (16, 50, 20)).astype(np.float32), requires_grad=True)
    target = R.integers(1, 20, (16, 5))
    ctc_loss(target, x, np.full(16, 5), np.full(16, 50)).sum().backward()  # warm up
    start = time.perf_counter()
    ctc_loss(target, x, np.full(16, 5), np.full(16, 50)).sum().backward()
    assert time.perf_counter() - start < 0.2

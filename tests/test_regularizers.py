"""Regularizers (penalties and their gradients) and constraints (projections)."""

import numpy as np
import pytest

import saessak
from saessak import constraints, regularizers

W = np.array([[1.0, -2.0], [0.5, 0.0], [-3.0, 4.0]])


def test_penalties_by_hand():
    w = saessak.tensor(W)
    assert float(regularizers.L1(0.1)(w)) == pytest.approx(0.1 * 10.5)
    assert float(regularizers.L2(0.1)(w)) == pytest.approx(0.1 * 30.25)  # no 1/2, as Keras
    assert float(regularizers.L1L2(0.1, 0.2)(w)) == pytest.approx(1.05 + 0.2 * 30.25)
    assert float(regularizers.l1_l2()(w)) == pytest.approx(0.01 * 10.5 + 0.01 * 30.25)
    assert float(regularizers.L1L2()(w)) == 0.0  # the class defaults to no penalty
    assert regularizers.l2().l2 == 0.01 and regularizers.l1().l1 == 0.01


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.3),
                                 regularizers.L1L2(0.1, 0.2)])
def test_penalty_gradients(reg):
    result = saessak.grad_check(reg, np.array([[0.7, -1.2], [0.4, 2.0]]))
    assert result.ok, result


def test_penalty_gradient_values():
    w = saessak.tensor(W, requires_grad=True)
    regularizers.L1L2(0.1, 0.5)(w).backward()
    np.testing.assert_allclose(w.grad, 0.1 * np.sign(W) + 2 * 0.5 * W)


def test_regularizer_lookup_and_config():
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get(None) is None
    config = regularizers.serialize(regularizers.L1L2(l1=0.2, l2=0.3))
    assert config == {"class_name": "L1L2", "config": {"l1": 0.2, "l2": 0.3}}
    again = regularizers.deserialize(config)
    assert (again.l1, again.l2) == (0.2, 0.3)
    with pytest.raises(ValueError, match="'l3'.*'l1'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="l2.*-1"):
        regularizers.L2(-1)


def test_max_norm_rescales_only_long_columns():
    w = np.array([[3.0, 0.3], [4.0, 0.4]])  # column norms 5 and 0.5
    out = constraints.MaxNorm(2.0)(w)
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], w[:, 1], rtol=1e-6)
    rows = constraints.MaxNorm(1.0, axis=1)(w)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1.0, 1.0], rtol=1e-6)


def test_other_constraints():
    w = np.array([[3.0, -1.0], [4.0, 2.0]])
    np.testing.assert_array_equal(constraints.NonNeg()(w), [[3.0, 0.0], [4.0, 2.0]])
    unit = constraints.UnitNorm()(w)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=0), 1.0, rtol=1e-6)
    mm = constraints.MinMaxNorm(min_value=3.0, max_value=4.0)(w)  # norms 5 and sqrt(5)
    np.testing.assert_allclose(np.linalg.norm(mm, axis=0), [4.0, 3.0], rtol=1e-6)
    half = constraints.MinMaxNorm(0.0, 4.0, rate=0.5)(w)  # halfway from 5 to 4
    assert np.linalg.norm(half[:, 0]) == pytest.approx(4.5, rel=1e-6)
    conv = constraints.MaxNorm(1.0, axis=[0, 1, 2])(np.ones((3, 3, 2, 4)))
    np.testing.assert_allclose(np.linalg.norm(conv.reshape(-1, 4), axis=0), 1.0, rtol=1e-6)


def test_constraint_lookup_and_config():
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert constraints.get(None) is None
    again = constraints.deserialize(constraints.serialize(constraints.MaxNorm(3, axis=1)))
    assert (again.max_value, again.axis) == (3, 1)
    with pytest.raises(ValueError, match="'positive'.*'non_neg'"):
        constraints.get("positive")

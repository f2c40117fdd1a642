"""Learning-rate schedules: values at a few steps, worked out by hand."""

import math

import numpy as np
import pytest

from saessak.optimizers import schedules


def values(schedule, steps):
    return [schedule(s) for s in steps]


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    np.testing.assert_allclose(values(s, [0, 5, 10, 20]),
                               [0.1, 0.1 * 0.5**0.5, 0.05, 0.025])
    stairs = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    np.testing.assert_allclose(values(stairs, [0, 9, 10, 19, 20]),
                               [0.1, 0.1, 0.05, 0.05, 0.025])


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5)
    np.testing.assert_allclose(values(s, [0, 1, 2, 4]), [1.0, 1 / 1.25, 1 / 1.5, 1 / 2])
    stairs = schedules.InverseTimeDecay(1.0, 2, 0.5, staircase=True)
    np.testing.assert_allclose(values(stairs, [1, 3]), [1.0, 1 / 1.5])


def test_piecewise_constant_boundaries_belong_to_the_earlier_piece():
    s = schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
    assert values(s, [0, 100, 101, 200, 201, 10_000]) == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="one more element"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])


def test_polynomial_decay():
    s = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0, power=2.0)
    np.testing.assert_allclose(values(s, [0, 5, 10, 15]), [1.0, 0.25, 0.0, 0.0])
    linear = schedules.PolynomialDecay(0.1, 10)  # ends at 1e-4 by default
    assert linear(5) == pytest.approx((0.1 - 1e-4) * 0.5 + 1e-4)
    cyc = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    # step 15 lies in the second cycle, which spans 20 steps: 1 - 15/20
    np.testing.assert_allclose(values(cyc, [0, 10, 15]), [1.0, 0.0, 0.25])


def test_cosine_decay():
    s = schedules.CosineDecay(1.0, decay_steps=100, alpha=0.1)
    np.testing.assert_allclose(values(s, [0, 50, 100, 150]), [1.0, 0.55, 0.1, 0.1])
    quarter = 0.5 * (1 + math.cos(math.pi / 4))
    assert s(25) == pytest.approx(0.9 * quarter + 0.1)


def test_cosine_decay_with_warmup():
    s = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    np.testing.assert_allclose(values(s, [0, 5, 10, 60, 110, 500]),
                               [0.0, 0.5, 1.0, 0.5, 0.0, 0.0], atol=1e-15)


def test_cosine_decay_restarts():
    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    # cycle 0: steps 0-10, cycle 1: steps 10-30 starting at 0.5
    np.testing.assert_allclose(values(s, [0, 5, 10, 20]), [1.0, 0.5, 0.5, 0.25], atol=1e-12)
    flat = schedules.CosineDecayRestarts(1.0, 10, t_mul=1.0)
    np.testing.assert_allclose(values(flat, [5, 15]), [0.5, 0.5], atol=1e-12)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True),
    schedules.InverseTimeDecay(0.1, 10, 0.9),
    schedules.PiecewiseConstantDecay([5], [0.1, 0.01]),
    schedules.PolynomialDecay(0.1, 10, power=0.5, cycle=True),
    schedules.CosineDecay(0.1, 10, alpha=0.2, warmup_target=0.3, warmup_steps=4),
    schedules.CosineDecayRestarts(0.1, 10),
])
def test_config_round_trip(schedule):
    again = schedules.deserialize(schedules.serialize(schedule))
    assert type(again) is type(schedule)
    assert again.get_config() == schedule.get_config()
    assert values(again, [0, 3, 7, 12]) == values(schedule, [0, 3, 7, 12])


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay_steps.*0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="'Nope'"):
        schedules.deserialize({"class_name": "Nope", "config": {}})

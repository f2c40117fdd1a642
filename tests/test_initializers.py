"""Initializers: sample statistics, fans, orthogonality, seeding, lookup.

Tolerances: with n independent draws the sample mean has standard error std / sqrt(n) and
the sample std has relative standard error about 1 / sqrt(2 n). We draw n = 40_000 values
and allow 5 standard errors: a mean within 5 std / 200 = 0.025 std of the truth, a std
within 5 / 283 = 1.8% of it. A wrong formula (e.g. fan_in where fan_avg belongs) is off
by far more than that.
"""

import math

import numpy as np
import pytest

import saessak
from saessak import backend, initializers

N = 40_000
MEAN_TOL = 0.025  # in units of the std
STD_RTOL = 0.018


def stats_ok(x, mean, std):
    assert abs(x.mean() - mean) < MEAN_TOL * std, (x.mean(), mean)
    assert x.std() == pytest.approx(std, rel=STD_RTOL)


def test_constants():
    assert np.all(initializers.Zeros()((2, 3)) == 0)
    assert np.all(initializers.Ones()((4,)) == 1)
    x = initializers.Constant(2.5)((2, 2))
    assert np.all(x == 2.5) and x.dtype == np.float32
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)),
                                  [[3, 0, 0], [0, 3, 0]])


def test_plain_distributions():
    stats_ok(initializers.RandomNormal(mean=1.0, stddev=2.0)((N,)), 1.0, 2.0)
    x = initializers.RandomUniform(-0.5, 1.5)((N,))
    assert x.min() >= -0.5 and x.max() < 1.5
    stats_ok(x, 0.5, 2 / math.sqrt(12))  # uniform on width w: std w / sqrt(12)
    assert initializers.RandomNormal()((5,)).dtype == np.float32
    assert initializers.RandomNormal()((5,), dtype="float64").dtype == np.float64


def test_truncated_normal_is_cut_at_two_stddevs():
    x = initializers.TruncatedNormal(mean=0.5, stddev=0.1)((N,))
    assert x.min() >= 0.5 - 0.2 - 1e-6 and x.max() <= 0.5 + 0.2 + 1e-6
    stats_ok(x, 0.5, 0.1 * 0.87962566103423978)  # the std of N(0,1) cut at +-2


def test_fans_count_the_receptive_field():
    assert initializers.compute_fans((784, 10)) == (784, 10)
    assert initializers.compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)  # Conv2D kernel
    assert initializers.compute_fans((5, 8, 4)) == (40, 20)  # Conv1D kernel
    assert initializers.compute_fans((7,)) == (7, 7)


@pytest.mark.parametrize("cls,scale,mode,uniform", [
    (initializers.GlorotUniform, 1.0, "fan_avg", True),
    (initializers.GlorotNormal, 1.0, "fan_avg", False),
    (initializers.HeUniform, 2.0, "fan_in", True),
    (initializers.HeNormal, 2.0, "fan_in", False),
    (initializers.LecunUniform, 1.0, "fan_in", True),
    (initializers.LecunNormal, 1.0, "fan_in", False),
])
def test_variance_scaling_presets(cls, scale, mode, uniform):
    shape = (5, 5, 50, 32)  # N values; fan_in 1250, fan_out 800, fan_avg 1025
    fan = {"fan_in": 1250, "fan_avg": 1025}[mode]
    std = math.sqrt(scale / fan)
    x = cls(seed=1)(shape)
    stats_ok(x.ravel(), 0.0, std)
    if uniform:
        assert np.abs(x).max() <= math.sqrt(3) * std
    else:  # truncated at two stds of the underlying normal
        assert np.abs(x).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_variance_scaling_untruncated():
    x = initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=0)((200, 200))
    stats_ok(x.ravel(), 0.0, math.sqrt(3.0 / 200))
    assert np.abs(x).max() > 2 * math.sqrt(3.0 / 200)  # the tails are there


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 8)])
def test_orthogonal(shape):
    q = initializers.Orthogonal(gain=2.0, seed=3)(shape, dtype="float64")
    m = q.reshape(-1, shape[-1])
    small = min(m.shape)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_seeded_initializers_repeat_and_unseeded_follow_the_global_seed():
    a = initializers.GlorotUniform(seed=7)((3, 4))
    np.testing.assert_array_equal(a, initializers.GlorotUniform(seed=7)((3, 4)))
    assert not np.array_equal(a, initializers.GlorotUniform(seed=8)((3, 4)))
    init = initializers.HeNormal()
    saessak.set_random_seed(5)
    first = init((3, 4)), init((3, 4))
    backend.set_random_seed(5)
    second = init((3, 4)), init((3, 4))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], first[1])  # consecutive draws differ


def test_get_serialize_deserialize():
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.get(None) is None
    config = initializers.serialize(initializers.RandomNormal(0.5, 0.2, seed=3))
    assert config == {"class_name": "RandomNormal",
                      "config": {"mean": 0.5, "stddev": 0.2, "seed": 3}}
    again = initializers.deserialize(config)
    np.testing.assert_array_equal(again((4,)), initializers.RandomNormal(0.5, 0.2, 3)((4,)))
    assert initializers.serialize("zeros") == {"class_name": "Zeros", "config": {}}
    vs = initializers.get({"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out"}})
    assert (vs.scale, vs.mode, vs.distribution) == (2.0, "fan_out", "truncated_normal")


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="'glorot_uniforn'.*glorot_uniform"):
        initializers.get("glorot_uniforn")
    with pytest.raises(ValueError, match="mode.*'fan_sum'"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="rank 2.*\\(5,\\)"):
        initializers.Orthogonal()((5,))
    with pytest.raises(ValueError, match="float dtype.*int32"):
        initializers.Zeros()((2,), dtype="int32")

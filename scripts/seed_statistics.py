"""The statistics of several seeded runs: their spread, and whether two frameworks differ.

Two groups of, say, five runs are too few to trust a normal approximation, so the
comparison is an exact permutation test: if the framework made no difference, every way of
splitting the pooled results into groups of the same sizes would be equally likely, and the
p-value is the share of splits whose difference of means is at least the one observed.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics

EXACT_LIMIT = 200_000  # splits enumerated exactly; beyond this, sampled


def spread(values):
    """Mean, sample standard deviation (n - 1 in the denominator), min, max and n."""
    values = [float(v) for v in values]
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values),
            "min": min(values), "max": max(values), "n": len(values)}


def permutation_test(a, b, samples=EXACT_LIMIT, seed=0):
    """Two-sided p-value for "a and b come from one distribution", by the difference of
    means: exact when C(len(a) + len(b), len(a)) splits are at most ``samples``, else
    estimated from that many random splits (seeded, so the table is reproducible)."""
    a, b = [float(v) for v in a], [float(v) for v in b]
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"permutation_test needs at least 2 runs a side, received "
                         f"{len(a)} and {len(b)}")
    pooled, total = a + b, sum(a) + sum(b)
    observed = abs(statistics.fmean(a) - statistics.fmean(b))
    tolerance = 1e-12 * max(1.0, observed)  # equal differences count as "at least"

    def as_extreme(chosen_sum):
        rest = (total - chosen_sum) / len(b)
        return abs(chosen_sum / len(a) - rest) >= observed - tolerance

    if math.comb(len(pooled), len(a)) <= samples:
        splits = [sum(c) for c in itertools.combinations(pooled, len(a))]
    else:
        rng = random.Random(seed)
        splits = [sum(rng.sample(pooled, len(a))) for _ in range(samples)]
    return sum(map(as_extreme, splits)) / len(splits)

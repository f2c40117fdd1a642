"""Small synthetic problems for recurrent networks, made on the spot (no download)."""

from __future__ import annotations

import numpy as np


def make_multiplication_data(n, length=100, seed=0):
    """The multiplication problem of Hochreiter & Schmidhuber (1997), seed 000 section 7.2.2.

    Each example is a sequence of ``length`` steps with two features: a 0/1 marker (first)
    and a random number in [0, 1) (second). Exactly two steps are marked; the target is the
    product of their numbers. A network must remember the first marked number across up to
    ``length`` steps: LSTM and GRU layers learn it, a SimpleRNN does not.

    Returns ``x`` of shape (n, length, 2) and ``y`` of shape (n,), both float32. Predicting
    the mean, 1/4, gives a mean squared error of 1/9 - 1/16 ~ 0.049 (the baseline).

    >>> x, y = make_multiplication_data(3, length=10)
    >>> x.shape, y.shape
    ((3, 10, 2), (3,))
    """
    if length < 2:
        raise ValueError(f"make_multiplication_data: length must be at least 2 (two marked "
                         f"steps), received {length}")
    rng = np.random.default_rng(seed)
    numbers = rng.random((n, length))
    marked = np.argsort(rng.random((n, length)), axis=1)[:, :2]  # two distinct steps each
    markers = np.zeros((n, length))
    np.put_along_axis(markers, marked, 1.0, axis=1)
    x = np.stack([markers, numbers], axis=-1).astype(np.float32)
    y = np.prod(np.take_along_axis(numbers, marked, axis=1), axis=1).astype(np.float32)
    return x, y

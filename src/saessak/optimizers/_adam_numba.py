"""Optional numba form of Adam's update (the ``fast`` extra): one pass instead of eight.

The NumPy update in :mod:`saessak.optimizers.adam` makes eight whole-array passes per
weight (moments, square root, division, scaling), each reading and writing memory. Here
each element is read once, updated in registers and written once. The constants arrive in
the weights' dtype and the arithmetic is done in the NumPy version's order, so both give
the same bits (a test checks it). ``SAESSAK_NUMBA=0`` turns this module off.
"""

from __future__ import annotations

import numpy as np

from .._numba import ENABLED, jit, numba, plain_arrays


def usable(*arrays) -> bool:
    """True when the compiled update can take these arrays: contiguous NumPy floats."""
    return ENABLED and plain_arrays(arrays, contiguous=True)


if numba is not None:

    @jit
    def adam_update(w, g, m, v, one_minus_beta_1, one_minus_beta_2, alpha, epsilon):
        """m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
        w -= alpha m / (sqrt(v) + eps), element by element over flat arrays."""
        for i in range(w.shape[0]):
            gi = g[i]
            m[i] += (gi - m[i]) * one_minus_beta_1
            v[i] += (gi * gi - v[i]) * one_minus_beta_2
            w[i] -= m[i] / (np.sqrt(v[i]) + epsilon) * alpha

"""Checking and reading ``fit``'s arguments: ``verbose``, the epoch counts,
``validation_data`` and ``validation_freq``."""

from __future__ import annotations

import numpy as np

from .packing import unpack_x_y_sample_weight


def resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}")
    return int(verbose)


def whole_number(value, name):
    """``fit``'s epoch counts: whole numbers >= 0 (an int-valued float such as 3.0 is fine)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or value < 0 or not float(value).is_integer():
        raise ValueError(f"fit: {name} must be a whole number >= 0, received {value!r}")
    return int(value)


def is_arrays(x) -> bool:
    if isinstance(x, dict):
        return all(is_arrays(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return True
    return hasattr(x, "shape") and hasattr(x, "dtype")


def unpack_validation(data):
    if isinstance(data, (tuple, list)) and len(data) in (2, 3):
        return unpack_x_y_sample_weight(data)
    return data, None, None  # a generator or a Dataset


def should_validate(epoch, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in set(freq)

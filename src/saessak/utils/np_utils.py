"""NumPy helpers from ``keras.utils``: ``to_categorical`` and ``normalize``."""

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels.

    The result has shape ``y.shape + (num_classes,)``, except that a trailing axis of
    size 1 is dropped first (so labels shaped ``(n, 1)`` give ``(n, num_classes)``, as in
    Keras). ``num_classes=None`` uses ``max(y) + 1``.

    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"`y` must hold integer class labels; received dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y) & (y == np.round(y))):
        raise ValueError("`y` must hold integer class labels; received non-integer values")
    y = y.astype("int64")
    shape = y.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    y = y.ravel()
    if y.size and y.min() < 0:
        raise ValueError(f"`y` must be >= 0; received a label {int(y.min())}")
    if num_classes is None:
        if not y.size:
            raise ValueError("`num_classes` is needed when `y` is empty")
        num_classes = int(y.max()) + 1
    elif isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"`num_classes` must be a positive int; received {num_classes!r}")
    num_classes = int(num_classes)
    if y.size and y.max() >= num_classes:
        raise ValueError(
            f"`y` holds label {int(y.max())}, which needs num_classes > {int(y.max())}; "
            f"received num_classes={num_classes}"
        )
    out = np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Scale ``x`` so each slice along ``axis`` has unit ``order``-norm (zero slices stay 0)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


__all__ = ["to_categorical", "normalize"]

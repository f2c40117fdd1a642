"""Channels first or last: saessak's kernels work channels last, (batch, *spatial, C).
Channels-first data, (batch, C, *spatial), is moved to that layout and back; a transpose
is differentiable, so gradients follow."""

from __future__ import annotations

from .. import backend
from .manipulation import transpose

FORMATS = ("channels_last", "channels_first")


def check_data_format(data_format, owner) -> str:
    """``data_format``, or Keras's default (``keras.config.image_data_format()``) for None."""
    data_format = data_format or backend.image_data_format()
    if data_format not in FORMATS:
        raise ValueError(f"{owner}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def to_channels_last(x, data_format):
    """(batch, C, *spatial) -> (batch, *spatial, C) when ``data_format`` is channels_first."""
    if data_format == "channels_last":
        return x
    return transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))


def from_channels_last(y, data_format):
    """The inverse of :func:`to_channels_last`."""
    if data_format == "channels_last":
        return y
    return transpose(y, (0, y.ndim - 1) + tuple(range(1, y.ndim - 1)))
